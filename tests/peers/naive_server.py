# The tutorial's mistake: a server that takes each recv() as one message.
# Prints its port first, then one line per "message" it thinks it got.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(5)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
while True:
    msg = conn.recv(1024)
    if not msg:
        break
    print('message:', msg.decode('utf-8'), flush=True)
conn.close()
s.close()

# The tutorial's server: reads with recv(1024) and answers each read with
# its upper case. Changed only in address and port: it binds port 0 and
# prints the port it got on its first line; it serves one client and exits.
import socket

BUFSIZE = 1024
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(5)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
while True:
    msg = conn.recv(BUFSIZE)
    if not msg:
        break
    conn.send(msg.upper())
conn.close()
s.close()

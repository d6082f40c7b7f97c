# A server that says how its client's side ended: prints its port first,
# then "closed" on EOF (a half-close) or "reset" on a connection reset.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(5)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
try:
    while True:
        if not conn.recv(1024):
            print('closed', flush=True)
            break
except ConnectionResetError:
    print('reset', flush=True)
conn.close()
s.close()

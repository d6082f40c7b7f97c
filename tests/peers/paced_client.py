# A client that sends three commands 5 ms apart, as a person at a prompt
# would but faster: each send is one command. Argument: the port.
import socket
import sys
import time

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.connect(('127.0.0.1', int(sys.argv[1])))
for cmd in ['dir', 'ipconfig', 'tasklist']:
    s.send(cmd.encode('utf-8'))
    time.sleep(0.005)
s.close()

# The tutorial's 粘包 client, changed only in its address (the port is argv[1]).
import socket, sys
BUFSIZE=1024
ip_port=('127.0.0.1',int(sys.argv[1]))
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)
res=s.connect_ex(ip_port)
s.send('hello'.encode('utf-8'))
s.send('feng'.encode('utf-8'))

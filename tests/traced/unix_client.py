# The tutorial's 粘包 client over a UNIX stream socket (its path is argv[1]):
# two send() calls, `hello` then `feng`.
import socket, sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.send('hello'.encode('utf-8'))
s.send('feng'.encode('utf-8'))
s.close()

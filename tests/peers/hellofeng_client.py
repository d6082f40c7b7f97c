# The tutorial's TCP client that sends `hello` then `feng` back to back
# (粘包 on the server side). Changed only in address and port: the port is
# the first argument.
import socket
import sys

ip_port = ('127.0.0.1', int(sys.argv[1]))
phone = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
phone.connect(ip_port)
phone.send('hello'.encode('utf-8'))
phone.send('feng'.encode('utf-8'))
phone.close()

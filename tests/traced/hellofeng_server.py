# The tutorial's 粘包 server, changed only in its address (port 0, written
# to the file `port` for the client) and a 50 ms sleep before the first recv.
import os, time
from socket import *
ip_port=('127.0.0.1',0)
tcp_socket_server=socket(AF_INET,SOCK_STREAM)
tcp_socket_server.bind(ip_port)
tcp_socket_server.listen(5)
open('port.tmp','w').write(str(tcp_socket_server.getsockname()[1])); os.rename('port.tmp','port')
conn,addr=tcp_socket_server.accept()
time.sleep(0.05)
data1=conn.recv(10)
data2=conn.recv(10)
print('----->',data1.decode('utf-8'))
print('----->',data2.decode('utf-8'))
conn.close()

# The tutorial's 粘包 server over a UNIX stream socket: it binds the path
# `sock` in its folder, writes that path to the file `port` for the client,
# and sleeps 50 ms before its first recv(1024).
import os, time
from socket import *
server=socket(AF_UNIX,SOCK_STREAM)
server.bind('sock')
server.listen(5)
open('port.tmp','w').write('sock'); os.rename('port.tmp','port')
conn,addr=server.accept()
time.sleep(0.05)
data1=conn.recv(1024)
data2=conn.recv(1024)
print('----->',data1.decode('utf-8'))
print('----->',data2.decode('utf-8'))
conn.close()

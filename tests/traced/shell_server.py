# The tutorial's remote shell server (subprocess), changed in its address
# (port 0, written to `port`) and in serving one client, then ending.
import os
from socket import *
import subprocess
ip_port=('127.0.0.1',0)
BUFSIZE=1024
tcp_socket_server=socket(AF_INET,SOCK_STREAM)
tcp_socket_server.setsockopt(SOL_SOCKET,SO_REUSEADDR,1)
tcp_socket_server.bind(ip_port)
tcp_socket_server.listen(5)
open('port.tmp','w').write(str(tcp_socket_server.getsockname()[1])); os.rename('port.tmp','port')
conn,addr=tcp_socket_server.accept()
print('客户端',addr)
while True:
    cmd=conn.recv(BUFSIZE)
    if len(cmd) == 0:break
    res=subprocess.Popen(cmd.decode('utf-8'),shell=True,
                     stdout=subprocess.PIPE,
                     stdin=subprocess.PIPE,
                     stderr=subprocess.PIPE)
    stderr=res.stderr.read()
    stdout=res.stdout.read()
    conn.send(stderr)
    conn.send(stdout)

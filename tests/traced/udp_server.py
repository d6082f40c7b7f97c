# The tutorial's UDP server, changed in its address (port 0, written to
# `port`), a 50 ms sleep before the first recvfrom, and three reads then
# an end instead of a loop.
import os, time
import socket
ip_port=('127.0.0.1',0)
BUFSIZE=1024
udp_server_client=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
udp_server_client.bind(ip_port)
open('port.tmp','w').write(str(udp_server_client.getsockname()[1])); os.rename('port.tmp','port')
time.sleep(0.05)
for i in range(3):
    msg,addr=udp_server_client.recvfrom(BUFSIZE)
    print(len(msg),msg[:10],addr[0])

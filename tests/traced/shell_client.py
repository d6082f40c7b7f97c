# The tutorial's remote shell client, changed in its address (argv[1]) and
# in typing two fixed, harmless commands instead of reading input().
import socket, sys
BUFSIZE=1024
ip_port=('127.0.0.1',int(sys.argv[1]))
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)
res=s.connect_ex(ip_port)
for msg in ['seq 1 400', 'echo done']:
    s.send(msg.encode('utf-8'))
    act_res=s.recv(BUFSIZE)
    print(act_res.decode('utf-8'),end='')

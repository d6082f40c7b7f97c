# The tutorial's UDP client, changed in its address (argv[1]) and in
# sending three fixed messages (the last longer than the server's 1024).
import socket, sys
ip_port=('127.0.0.1',int(sys.argv[1]))
udp_server_client=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for msg in ['hello', 'feng', 'x'*2000]:
    udp_server_client.sendto(msg.encode('utf-8'),ip_port)

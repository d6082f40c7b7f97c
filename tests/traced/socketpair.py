# 粘包 within one program: a socketpair(), a forked child that sends
# `hello` then `feng` in two send() calls, and the parent that sleeps 50 ms
# before its first recv(1024).
import os, socket, time
parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
pid = os.fork()
if pid == 0:
    parent.close()
    child.send('hello'.encode('utf-8'))
    child.send('feng'.encode('utf-8'))
    child.close()
    os._exit(0)
child.close()
time.sleep(0.05)
data1 = parent.recv(1024)
data2 = parent.recv(1024)
print('----->', data1.decode('utf-8'))
print('----->', data2.decode('utf-8'))
os.waitpid(pid, 0)

# The receiving side of the tutorial's file transfer, written correctly:
# it reads exactly the 4-byte length, the header, then file_size bytes, in
# as many recv() calls as it takes. Prints its port first, then
# "received N bytes, md5 ok" or "md5 mismatch".
import hashlib
import json
import socket
import struct


def recv_exact(conn, n):
    buf = b''
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise SystemExit('closed after %d of %d bytes' % (len(buf), n))
        buf += part
    return buf


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(5)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
x = struct.unpack('!I', recv_exact(conn, 4))[0]
header = json.loads(recv_exact(conn, x).decode('utf-8'))
data = recv_exact(conn, header['file_size'])
ok = hashlib.md5(data).hexdigest() == header['md5']
print('received %d bytes, %s' % (len(data), 'md5 ok' if ok else 'md5 mismatch'), flush=True)
conn.close()
s.close()

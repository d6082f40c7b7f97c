# The tutorial's length prefix + JSON header file transfer, the sending
# side, written correctly: the header length is struct.pack('!I', ...)
# (network order, not the tutorial's native 'i'). Argument: the port.
# Sends a 20000-byte file whose md5 is in the header, then waits for the
# receiver to close.
import hashlib
import json
import socket
import struct
import sys

data = bytes((i * 7 + 3) % 256 for i in range(20000))
header = {'file_size': len(data), 'file_name': 'a.txt', 'md5': hashlib.md5(data).hexdigest()}
head_bytes = bytes(json.dumps(header), encoding='utf-8')
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', int(sys.argv[1])))
s.send(struct.pack('!I', len(head_bytes)))
s.send(head_bytes)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()

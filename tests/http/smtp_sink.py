#!/usr/bin/python3
"""smtp_sink.py PORT [FAIL_FIRST]: a real SMTP server (Debian's
python3-aiosmtpd) on 127.0.0.1:PORT for the outbox tests. Prints
"listening PORT" once it accepts connections, then one JSON line per
message received ({"from", "to", "data"}). The first FAIL_FIRST messages
are refused with 451 (try again later), to test the sender's retries; a
recipient whose address begins "bounce" is refused for good (550).
Stops when its standard input closes or on SIGTERM."""
import json
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, fail_first):
        self.fail_first = fail_first

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('bounce'):
            return '550 5.1.1 No such user here'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return '451 4.3.0 Try again later'
        print(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos,
                          'data': envelope.content.decode('utf-8', 'replace')}), flush=True)
        return '250 2.0.0 OK'


def main():
    port = int(sys.argv[1])
    fail_first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    ctl = Controller(Sink(fail_first), hostname='127.0.0.1', port=port)
    ctl.start()
    print('listening %d' % ctl.port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    ctl.stop()


if __name__ == '__main__':
    main()

# Writes one .eml per message and collects its labels (used by build.py).
# Helper: writes one .eml per message and appends a labels line.
import json, os, quopri, sys
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MSG = os.path.join(OUT, 'messages')
os.makedirs(MSG, exist_ok=True)
_labels = []
def msg(name, frm, to, subject, body, labels, date='Tue, 12 Mar 2024 09:14:00 -0400', qp=False):
    body = body.strip('\n') + '\n'
    hdr = [f'From: {frm}', f'To: {to}', f'Subject: {subject}', f'Date: {date}',
           f'Message-ID: <{name}.{abs(hash(subject)) % 10**8}@eval.dlpd.invalid>', 'MIME-Version: 1.0',
           'Content-Type: text/plain; charset=utf-8']
    if qp:
        hdr.append('Content-Transfer-Encoding: quoted-printable')
        body = quopri.encodestring(body.encode()).decode()
    else:
        hdr.append('Content-Transfer-Encoding: 8bit')
    with open(os.path.join(MSG, name + '.eml'), 'w', newline='\n') as f:
        f.write('\n'.join(hdr) + '\n\n' + body)
    _labels.append({'file': 'messages/' + name + '.eml', 'labels': sorted(labels)})
def text(t, labels):
    _labels.append({'text': t, 'labels': sorted(labels)})
def flush(path):
    with open(path, 'w') as f:
        for l in _labels:
            f.write(json.dumps(l) + '\n')

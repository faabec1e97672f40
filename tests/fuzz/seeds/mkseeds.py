#!/usr/bin/env python3
"""mkseeds.py - writes the committed fuzz seeds that are not plain copies:
request frames (seeds/frame), messages carrying one attachment of each kind
the engine opens (seeds/mime), a rule file using every key (seeds/rules) and
recipient lists (seeds/domain). Standard library only; run from anywhere:
    python3 tests/fuzz/seeds/mkseeds.py
The output is deterministic, so re-running it changes nothing."""
import base64
import gzip
import io
import os
import struct
import tarfile
import zipfile
import zlib
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.message import MIMEMessage
from email import message_from_string, policy

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = ("Passport: P<USADOE<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
        "Card 4532 7155 2134 8872, SSN 212-48-7391\n"
        "Password: Tr4vel!2023\nSECRET//NOFORN\n")
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def write(sub, name, data):
    d = os.path.join(HERE, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ------------------------------------------------------------------ frames
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, value):
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def frames():
    msg = "From: a@example.org\r\nTo: ops@army.ml\r\nSubject: hi\r\n\r\n" + TEXT
    envelope = (field(1, "a@example.org") + field(2, "ops@army.ml") + field(2, "x@army.mil")
                + field(3, "192.0.2.1") + field(4, "mx.example.org"))
    scan = field(1, envelope) + field(2, msg) + field(3, "strict") + field(4, 5000) + field(5, "4Qx1")
    hello = field(1, 1) + field(2, "dlp-milter/0.1")
    reqs = {
        "hello": field(1, 1) + field(10, hello),
        "scan": field(1, 2) + field(11, scan),
        "ping": field(1, 3) + field(12, field(1, b"\x00\x01ping")),
        "stats": field(1, 4) + field(13, b""),
        "reload": field(1, 5) + field(14, b""),
    }
    # Byte 0 seeds the chunk sizes, byte 1 odd gives the 1 MiB frame maximum.
    for name, req in reqs.items():
        write("frame", name, b"\x2a\x01" + frame(req))
    write("frame", "pipelined", b"\x07\x01" + b"".join(frame(r) for r in reqs.values()))
    write("frame", "too-large", b"\x05\x02" + frame(reqs["scan"]))


# ---------------------------------------------------------------- messages
def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return buf.getvalue()


def docx():
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
           + TEXT.replace("<", "&lt;") + "</w:t></w:r></w:p></w:body></w:document>")
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="/word/document.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    return zip_bytes([("[Content_Types].xml", types), ("word/document.xml", doc)])


def odt():
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
               'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
               'text:1.0"><office:body><office:text><text:p>' + TEXT.replace("<", "&lt;")
               + "</text:p></office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", ZIP_DATE), "application/vnd.oasis.opendocument.text")
        z.writestr(zipfile.ZipInfo("content.xml", ZIP_DATE), content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def pdf():
    stream = b"BT /F1 12 Tf 72 720 Td (Passport P<USADOE<<JOHN  SSN 212-48-7391) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def jpeg_gps():
    """A JPEG header with an EXIF block holding a GPS position (no image data)."""
    def ifd(entries, next_off=0):
        out = struct.pack("<H", len(entries))
        for tag, typ, count, value in entries:
            out += struct.pack("<HHI", tag, typ, count) + value
        return out + struct.pack("<I", next_off)
    # TIFF header at 0; IFD0 at 8 with one entry (GPS IFD pointer).
    gps_off = 8 + 2 + 12 + 4
    rat_off = gps_off + 2 + 4 * 12 + 4
    ifd0 = ifd([(0x8825, 4, 1, struct.pack("<I", gps_off))])
    rats = struct.pack("<6I", 38, 1, 53, 1, 0, 1) + struct.pack("<6I", 77, 1, 2, 1, 0, 1)
    gps = ifd([(1, 2, 2, b"N\x00\x00\x00"), (2, 5, 3, struct.pack("<I", rat_off)),
               (3, 2, 2, b"W\x00\x00\x00"), (4, 5, 3, struct.pack("<I", rat_off + 24))])
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + gps + rats
    app1 = b"Exif\x00\x00" + tiff
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 4, 4, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + sof + b"\xff\xd9"


def dicom():
    return b"\x00" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\x14\x001.2.840.10008.1.2.1\x00"


def rtf():
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}{\\*\\generator x;}\\pard "
            "Passport P<USADOE<<JOHN\\par SSN 212-48-7391\\par \\u8364? \\'e9t\\'e9\\par}").encode()


def tar_gz():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = TEXT.encode()
        info = tarfile.TarInfo("crew/list.csv")
        info.size, info.mtime = len(data), 1704067200
        t.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


def raw_message(name, files, subject):
    """Attachments as raw bytes (Content-Transfer-Encoding: binary), so that
    the fuzzer's mutations reach the extractors instead of breaking base64."""
    b = ("==r-%s==" % name).encode()
    out = (b"From: Sender <sender@example.org>\r\nTo: ops@army.ml\r\nSubject: " + subject.encode()
           + b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + b + b"\"\r\n\r\n"
           + b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n")
    for filename, ctype, data in files:
        out += (b"--" + b + b"\r\nContent-Type: " + ctype.encode() + b"\r\nContent-Disposition: "
                b"attachment; filename=\"" + filename.encode() + b"\"\r\n"
                b"Content-Transfer-Encoding: binary\r\n\r\n" + data + b"\r\n")
    write("mime", "raw-" + name + ".eml", out + b"--" + b + b"--\r\n")


def message(name, parts, subject):
    m = MIMEMultipart()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = "ops@army.ml, Friend <friend@example.com>"
    m["Cc"] = "=?utf-8?q?Sch=C3=B6n?= <x@navy.mil>"
    m["Subject"] = subject
    m["Message-ID"] = "<%s@example.org>" % name
    m["Date"] = "Mon, 01 Jan 2024 00:00:00 +0000"
    m.set_boundary("==b-%s==" % name)
    m.attach(MIMEText("See the attachment.\n", "plain", "utf-8"))
    for p in parts:
        m.attach(p)
    write("mime", name + ".eml", m.as_bytes(policy=policy.SMTP))


def attachment(data, subtype, filename):
    a = MIMEApplication(data, subtype)
    a.add_header("Content-Disposition", "attachment", filename=filename)
    return a


def messages():
    message("zip", [attachment(zip_bytes([("a/crew.txt", TEXT), ("b/nested.zip",
            zip_bytes([("deep.txt", TEXT)]))]), "zip", "crew.zip")], "zip in zip")
    message("docx", [attachment(docx(), "vnd.openxmlformats-officedocument.wordprocessingml."
            "document", "memo.docx")], "docx")
    message("odt", [attachment(odt(), "vnd.oasis.opendocument.text", "memo.odt")], "odt")
    message("pdf", [attachment(pdf(), "pdf", "scan.pdf")], "pdf")
    message("rtf", [attachment(rtf(), "rtf", "letter.rtf")], "rtf")
    message("images", [attachment(png(), "octet-stream", "x.png"),
                       attachment(jpeg_gps(), "octet-stream", "photo.jpg"),
                       attachment(dicom(), "dicom", "xray.dcm")], "images")
    message("targz", [attachment(tar_gz(), "gzip", "crew.tar.gz")], "tar.gz")
    html = MIMEText("<html><body><p>Passport <b>P&lt;USADOE</b></p><script>x</script>"
                    "<table><tr><td>SSN</td><td>212-48-7391</td></tr></table></body></html>",
                    "html", "utf-8")
    inner = message_from_string("From: a@example.org\nTo: b@army.mil\nSubject: fwd\n\n" + TEXT)
    message("html-fwd", [html, MIMEMessage(inner)], "=?iso-8859-1?q?Fw=3A_r=E9sum=E9?=")
    qp = ("From: a@example.org\r\nTo: b@army.mil\r\nSubject: qp\r\nMIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: "
          "quoted-printable\r\n\r\nPass=\r\nword: Tr4vel!2023 caf=E9\r\n")
    write("mime", "qp.eml", qp)
    b64name = ("From: a@example.org\r\nTo: b@army.mil\r\nSubject: b\r\nMIME-Version: 1.0\r\n"
               "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
               " filename*=utf-8''p%C3%A4ss.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + base64.encodebytes(TEXT.encode()).decode().replace("\n", "\r\n"))
    write("mime", "rfc2231.eml", b64name)
    raw_message("rtf", [("letter.rtf", "application/rtf", rtf())], "rtf")
    raw_message("pdf", [("scan.pdf", "application/pdf", pdf())], "pdf")
    raw_message("images", [("x.png", "image/png", png()), ("photo.jpg", "image/jpeg", jpeg_gps()),
                           ("xray.dcm", "application/dicom", dicom())], "images")
    raw_message("zip", [("crew.zip", "application/zip", zip_bytes([("a/crew.txt", TEXT)],
                zipfile.ZIP_STORED))], "zip")
    raw_message("docx", [("memo.docx", "application/octet-stream", docx())], "docx")
    raw_message("tar", [("crew.tar.gz", "application/gzip", tar_gz())], "tar")


# ------------------------------------------------------------- rules, domains
RULES = r"""# Every key a rule may have.
rules:
  - id: fuzz.every_key
    category: identity
    severity: critical
    description: "a rule with every key"
    flags: [caseless, utf8]
    scope: [body, attachment, subject]
    validate: luhn
    min_count: 2
    context:
      words: [card, "credit card"]
      window: 80
    patterns:
      - '\b[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}\b'
      - 'card[ \t]{0,4}(?:no\.?)?[0-9]{16}'
    exclude:
      - '4111[ -]?1111[ -]?1111[ -]?1111'
    tests:
      match:
        - "card 4532 7155 2134 8872 and card 4532 7155 2134 8872"
      no_match:
        - "4111 1111 1111 1111"
  - id: fuzz.plain
    category: marking
    severity: low
    description: a plain marking
    patterns: ['SECRET//NOFORN']
"""


def rules():
    write("rules", "every-key.yaml", RULES)
    write("rules", "empty-list.yaml", "rules: []\n")
    write("rules", "anchors.yaml", "base: &b {category: legal, severity: high}\nrules:\n"
          "  - <<: *b\n    id: x.y\n    description: d\n    patterns: ['a{2,}b']\n")


def domains():
    write("domain", "lookalikes", "ops@army.ml\narmy-mil.com\nx@armymil.us\nnavy.mil.ml\n"
          "user@ARMY.MIL.\nxn--rmy-qla.mil\nusr@аrmy.mil\narrny.mil\nlockheedmartln.com\n")
    write("domain", "plain", "friend@example.com\nsomeone@example.org\n\"q@x\"@gov\n@\n..\n")


if __name__ == "__main__":
    frames()
    messages()
    rules()
    domains()

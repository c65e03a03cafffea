"""A real IMAP server for tests and benchmarks (Debian's dovecot-imapd, run from a configuration
in a temporary folder on a free port), and builders of the raw messages Russian mail arrives as.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class DovecotServer:
    """``with DovecotServer() as server: server.add_user("office", "secret")``.

    Dovecot needs root to start; its users get the ``dovecot`` system user's uid (so
    ``first_valid_uid`` is set at or below it) and mail folders owned by that user. ``tls=True``
    adds an IMAPS listener with a self-signed certificate (``ca_file`` trusts it)."""

    def __init__(self, *, tls: bool = False) -> None:
        if not Path(DOVECOT).exists():
            raise RuntimeError(
                "dovecot-imapd is not installed: scripts/test.sh installs it (apt-get install "
                "dovecot-imapd)"
            )
        self.tls = tls
        self.root = Path(tempfile.mkdtemp(prefix="argo-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.ca_file = ""
        self.users: dict[str, str] = {}
        account = pwd.getpwnam("dovecot")
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.config = self.root / "dovecot.conf"

    # --- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        for name in ("run", "state", "home"):
            (self.root / name).mkdir(exist_ok=True)
        self._write_passwd()
        self.config.write_text(self._config_text())
        # the daemon keeps inherited pipes open: its output goes to a file, never to a pipe
        with open(self.root / "start.log", "wb") as output:
            started = subprocess.run(
                [DOVECOT, "-c", str(self.config)], stdout=output, stderr=output, check=False
            )
        if started.returncode != 0:
            start_log = (self.root / "start.log").read_text(errors="replace")
            raise RuntimeError(f"dovecot did not start: {start_log} {self.log()}")
        deadline = time.monotonic() + 15
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """TERM the master (it takes a few seconds to close its children), KILL it if it is
        still there after 15 s, then remove the folder."""
        pid_file = self.root / "run" / "master.pid"
        pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    # --- users and mail --------------------------------------------------------------------------

    def add_user(self, login: str, password: str) -> None:
        self.users[login] = password
        home = self.root / "home" / login
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, self.uid, self.gid)
        self._write_passwd()

    def mailbox(self, login: str):
        from imap_tools import MailBoxUnencrypted

        client = MailBoxUnencrypted("127.0.0.1", self.port, timeout=10)
        return client.login(login, self.users[login])

    def append(self, login: str, messages: list[bytes], folder: str = "INBOX") -> None:
        with self.mailbox(login) as client:
            for raw in messages:
                client.append(raw, folder)

    def uids(self, login: str, criteria: str = "ALL", folder: str = "INBOX") -> list[int]:
        with self.mailbox(login) as client:
            client.folder.set(folder)
            return sorted(int(uid) for uid in client.uids(criteria))

    def flags(self, login: str, folder: str = "INBOX") -> dict[int, tuple[str, ...]]:
        with self.mailbox(login) as client:
            client.folder.set(folder)
            return {int(m.uid): m.flags for m in client.fetch(mark_seen=False, headers_only=True)}

    # --- configuration ---------------------------------------------------------------------------

    def _write_passwd(self) -> None:
        """One passwd-file per user (the path in the config holds %u): Dovecot reads a new
        user's file at their first login, with no reload of a shared file to wait for."""
        users = self.root / "users"
        users.mkdir(exist_ok=True)
        users.chmod(0o755)
        for login, password in self.users.items():
            path = users / login
            home = self.root / "home" / login
            path.write_text(f"{login}:{{PLAIN}}{password}:{self.uid}:{self.gid}::{home}\n")
            path.chmod(0o644)

    def _config_text(self) -> str:
        ssl_lines = "ssl = no\n"
        imaps = "  inet_listener imaps {\n    port = 0\n  }\n"
        if self.tls:
            cert, key = self._self_signed()
            ssl_lines = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n"
            imaps = (
                "  inet_listener imaps {\n    address = 127.0.0.1\n"
                f"    port = {self.tls_port}\n    ssl = yes\n  }}\n"
            )
        users = self.root / "users"
        return (
            f"listen = 127.0.0.1\nbase_dir = {self.root / 'run'}\n"
            f"state_dir = {self.root / 'state'}\n"
            f"log_path = {self.root / 'dovecot.log'}\nprotocols = imap\n{ssl_lines}"
            "disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0\n"
            "login_trusted_networks = 127.0.0.0/8\n"
            "mail_location = maildir:~/Maildir\n"
            f"first_valid_uid = {self.uid}\nfirst_valid_gid = {self.gid}\n"
            f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {users}/%u\n}}\n"
            f"userdb {{\n  driver = passwd-file\n  args = {users}/%u\n}}\n"
            "service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n"
            f"    port = {self.port}\n  }}\n{imaps}}}\n"
            "service anvil {\n  chroot =\n}\n"
        )

    def _self_signed(self) -> tuple[Path, Path]:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.UTC)
        import ipaddress

        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = self.root / "cert.pem", self.root / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
        self.ca_file = str(cert_path)
        return cert_path, key_path


# --- raw messages --------------------------------------------------------------------------------


def letter(
    *,
    subject: str,
    body: str = "Добрый день! Направляем письмо.",
    sender: str = "Иван Петров <ivan@romashka.ru>",
    to: str = "office@argo.test",
    message_id: str | None = None,
    in_reply_to: str = "",
    files: list[tuple[str, bytes, str]] = (),
    html: str = "",
    date: dt.datetime | None = None,
) -> bytes:
    """A message as a modern mailer writes it: UTF-8, RFC 2047 subject, RFC 2231 file names."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    message["Message-ID"] = message_id or make_msgid(domain="romashka.ru")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    if html and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html:
            message.add_alternative(html, subtype="html")
    for filename, data, mime in files:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    # encoded as mail clients do: the standard library's own folding drops the space between
    # two encoded words
    encoded_subject = Header(subject, "utf-8").encode(linesep="\r\n")
    return f"Subject: {encoded_subject}\r\n".encode() + message.as_bytes(policy=SMTP)


def legacy_letter(
    *,
    subject: str,
    body: str,
    charset: str = "windows-1251",
    declare_charset: bool = True,
    raw_subject: bool = False,
    sender: str = "buh@zavod.ru",
    message_id: str | None = None,
    attachment: tuple[str, bytes] | None = None,
    attachment_name_style: str = "rfc2231",
) -> bytes:
    """A message as an old Russian mailer writes it: an 8-bit body in cp1251 or koi8-r, sometimes
    with no charset declared, a subject in raw 8-bit bytes, a file name in RFC 2231 or in RFC
    2047 words inside quotes (as Outlook and 1C do)."""
    codec = {"windows-1251": "cp1251", "koi8-r": "koi8_r"}.get(charset, charset)
    if raw_subject:
        subject_bytes = subject.encode(codec)
    else:
        encoded = base64.b64encode(subject.encode(codec)).decode()
        subject_bytes = f"=?{charset}?B?{encoded}?=".encode()
    head = [
        f"From: {sender}".encode(),
        b"To: office@argo.test",
        b"Subject: " + subject_bytes,
        f"Date: {format_datetime(dt.datetime.now(dt.UTC))}".encode(),
        f"Message-ID: {message_id or make_msgid(domain='zavod.ru')}".encode(),
        b"MIME-Version: 1.0",
    ]
    charset_param = f"; charset={charset}" if declare_charset else ""
    text_part = [
        f"Content-Type: text/plain{charset_param}".encode(),
        b"Content-Transfer-Encoding: 8bit",
        b"",
        body.encode(codec),
    ]
    if attachment is None:
        return b"\r\n".join(head + text_part) + b"\r\n"
    filename, data = attachment
    if attachment_name_style == "rfc2231":
        quoted = "".join(
            ch if ch.isascii() and ch.isalnum() else "".join(f"%{b:02X}" for b in ch.encode())
            for ch in filename
        )
        disposition = f"attachment; filename*=utf-8''{quoted}"
    else:
        words = base64.b64encode(filename.encode("utf-8")).decode()
        disposition = f'attachment; filename="=?utf-8?B?{words}?="'
    boundary = "----=_argo_boundary_1"
    parts = [
        *head,
        f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode(),
        b"",
        f"--{boundary}".encode(),
        *text_part,
        f"--{boundary}".encode(),
        b"Content-Type: application/octet-stream",
        b"Content-Transfer-Encoding: base64",
        f"Content-Disposition: {disposition}".encode(),
        b"",
        base64.encodebytes(data).replace(b"\n", b"\r\n").rstrip(),
        f"--{boundary}--".encode(),
        b"",
    ]
    return b"\r\n".join(parts)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database Django is connected to now (the test database), so
    a child process started by a test works on the same data."""
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"

"""Mail providers whose servers a user picks by name (Settings > Email): the hosts, ports
and security each publishes for mail clients. Most need an app password when the account
has two-step verification (Gmail, Outlook 365, Orange, Free...)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _lazy


@dataclass(frozen=True)
class Preset:
    key: str
    label: object
    smtp_host: str
    smtp_port: int
    smtp_security: str
    imap_host: str
    imap_port: int
    imap_security: str = "ssl"

    def fields(self) -> dict:
        return {
            "smtp_host": self.smtp_host,
            "smtp_port": self.smtp_port,
            "smtp_security": self.smtp_security,
            "imap_host": self.imap_host,
            "imap_port": self.imap_port,
            "imap_security": self.imap_security,
        }


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("gmail", "Gmail", "smtp.gmail.com", 465, "ssl", "imap.gmail.com", 993),
        Preset(
            "outlook",
            "Outlook 365",
            "smtp.office365.com",
            587,
            "starttls",
            "outlook.office365.com",
            993,
        ),
        Preset("ovh", "OVHcloud", "ssl0.ovh.net", 465, "ssl", "ssl0.ovh.net", 993),
        Preset("orange", "Orange", "smtp.orange.fr", 465, "ssl", "imap.orange.fr", 993),
        Preset("free", "Free", "smtp.free.fr", 465, "ssl", "imap.free.fr", 993),
        Preset("gandi", "Gandi", "mail.gandi.net", 465, "ssl", "mail.gandi.net", 993),
        Preset(
            "infomaniak",
            "Infomaniak",
            "mail.infomaniak.com",
            465,
            "ssl",
            "mail.infomaniak.com",
            993,
        ),
        Preset("ionos", "IONOS", "smtp.ionos.fr", 465, "ssl", "imap.ionos.fr", 993),
    )
}
OTHER = "other"


def preset_choices() -> list[tuple[str, object]]:
    return [*((p.key, p.label) for p in PRESETS.values()), (OTHER, _lazy("Other server"))]

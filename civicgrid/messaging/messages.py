"""A message and its recipient, as the services build them (cases.notifications) and the outbox
stores them (messaging.models.OutboxMessage)."""

from dataclasses import asdict, dataclass, field

from civicgrid.core.masking import mask_phone


@dataclass(frozen=True)
class Recipient:
    """Who is told: the reporter (phone and/or account), a department, a grid, the operators, a
    named staff account (its phone and address), or every 值班长 ("approver": nobody on the duty
    roster)."""

    kind: str  # "reporter" | "department" | "grid" | "operator" | "staff" | "approver"
    user_id: int | None = None
    phone: str = ""
    department_id: int | None = None
    grid_id: int | None = None
    email: str = ""

    def describe(self) -> str:
        if self.kind == "staff":
            return f"staff({self.user_id})"
        if self.kind == "reporter":
            return (
                f"reporter(user={self.user_id}, phone={mask_phone(self.phone)}, "
                f"email={mask_email(self.email)})"
            )
        if self.kind == "department":
            return f"department({self.department_id})"
        if self.kind == "grid":
            return f"grid({self.grid_id})"
        return self.kind


@dataclass(frozen=True)
class Message:
    kind: str
    case_number: str
    recipient: Recipient
    text: str
    link: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-safe form (the outbox row keeps the recipient as JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict) -> "Message":
        return cls(**{**value, "recipient": Recipient(**value["recipient"])})


def mask_email(value: str) -> str:
    """ "zhang.san@example.com" → "z***@example.com" (personal data, shown like phones)."""
    value = value or ""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return f"{local[:1]}***@{domain}"

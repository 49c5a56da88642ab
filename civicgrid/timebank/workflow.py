"""The transition tables of the time bank: a request (求助) and a service record (服务记录).
Each service checks its step here before it writes."""

from civicgrid.timebank.choices import RecordState as R
from civicgrid.timebank.choices import RequestState as Q

REQUEST_TRANSITIONS = {
    "match": ({Q.OPEN, Q.MATCHED}, Q.MATCHED),
    "done": ({Q.MATCHED}, Q.DONE),
    "cancel": ({Q.OPEN, Q.MATCHED}, Q.CANCELLED),
}

RECORD_TRANSITIONS = {
    "submit": ({R.DRAFT, R.REJECTED}, R.SUBMITTED),
    "verify": ({R.SUBMITTED}, R.VERIFIED),
    "reject": ({R.SUBMITTED}, R.REJECTED),
}

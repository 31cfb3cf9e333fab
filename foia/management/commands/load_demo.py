"""Demo newsroom: one user per role, printed credentials, and a dozen requests in
varied states, built through the services. Safe to run again: a request whose title
exists is left alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from documents.demo import load_demo_documents
from foia import roles, services
from foia.models import Agency, FoiaRequest, Visibility

DEMO_PASSWORD = "workbench-demo"  # noqa: S105 - printed to the person running the demo
DEMO_USERS = [
    ("rita", "Rita", "Reyes", roles.REPORTER),
    ("ed", "Ed", "Okafor", roles.EDITOR),
    ("rosa", "Rosa", "Lind", roles.RESEARCHER),
    ("admin", "Ada", "Admin", roles.ADMIN),
]


class Demo:
    """Builds one request's history through the services, dated back from today."""

    def __init__(self, users: dict[str, object], today: date) -> None:
        self.users = users
        self.today = today

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def file(self, *, by: str = "rita", agency: str, days_ago: int | None, **values):
        return services.request_file(
            actor=self.users[by],
            agency=Agency.objects.get(slug=agency),
            filed_on=None if days_ago is None else self.ago(days_ago),
            **values,
        )

    def log(self, request, kind: str, days_ago: int, *, by: str = "rita", **values):
        direction = (
            "out" if kind in ("request", "reply", "appeal", "follow_up") else "in"
        )
        values.setdefault("channel", "email")
        return services.communication_log(
            actor=self.users[by],
            request=request,
            direction=direction,
            kind=kind,
            sent_on=self.ago(days_ago),
            confirm=True,
            **values,
        )


def _ice_opr_statistics(demo: Demo) -> FoiaRequest:
    # Overdue: acknowledged, never answered; the requester may go to court.
    request = demo.file(
        agency="ice-opr",
        days_ago=62,
        title="ICE OPR allegations of database misuse, 2019-2025",
        body="Records sufficient to show every allegation received by the ICE Office "
        "of Professional Responsibility from January 1, 2019 to the present that an "
        "ICE employee queried TECS, ICM, EID or another law-enforcement database for "
        "a non-official purpose, including the case number, date opened, "
        "disposition and any discipline imposed.",
        tags=["ice", "misconduct", "databases"],
        fee_waiver="requested",
        visibility=Visibility.NEWSROOM,
        tracking_number="2026-ICFO-04417",
    )
    demo.log(request, "acknowledgement", 58, subject="Acknowledgment 2026-ICFO-04417")
    return request


def _ice_opr_reports(demo: Demo) -> FoiaRequest:
    # Denied under the privacy exemptions; an appeal is pending.
    request = demo.file(
        agency="ice",
        days_ago=120,
        title="ICE OPR reports of investigation: agents' TECS queries on ex-partners",
        body="All OPR reports of investigation, closing memoranda and referral "
        "letters concerning ICE employees found to have searched TECS or ICM for "
        "information about current or former intimate partners, 2015 to present.",
        tags=["ice", "misconduct", "databases"],
        fee_waiver="requested",
        expedited="requested",
        visibility=Visibility.NEWSROOM,
        tracking_number="2026-ICFO-01120",
    )
    demo.log(request, "acknowledgement", 117)
    demo.log(request, "extension_notice", 100, subject="Unusual circumstances")
    demo.log(
        request,
        "denial",
        70,
        subject="Final response: withheld in full under (b)(6) and (b)(7)(C)",
    )
    services.appeal_file(
        actor=demo.users["rita"],
        request=request,
        basis="adverse",
        filed_on=demo.ago(12),
        contested_exemptions=["(b)(6)", "(b)(7)(C)"],
        grounds="The public interest in how ICE polices its own agents' use of "
        "surveillance databases outweighs the privacy of employees found to have "
        "misused them; names of senior officials and case outcomes are segregable.",
        tracking_number="2026-APP-00318",
        channel="email",
    )
    return request


def _cbp_summonses(demo: Demo) -> FoiaRequest:
    # The agency invoked unusual circumstances: the extended date applies.
    request = demo.file(
        agency="cbp",
        days_ago=26,
        title="CBP summonses under 19 U.S.C. 1509 to technology companies",
        body="Every administrative summons CBP issued under 19 U.S.C. 1509 to a "
        "social media, telecommunications or technology company from 2017 to "
        "present, and the internal approvals for each (including any review by the "
        "Office of Professional Responsibility or the Office of Chief Counsel).",
        tags=["cbp", "surveillance"],
        visibility=Visibility.NEWSROOM,
        tracking_number="CBP-FO-2026-031177",
    )
    demo.log(request, "acknowledgement", 24)
    demo.log(request, "extension_notice", 9, subject="10 additional working days")
    return request


def _tecs_audit_logs(demo: Demo) -> FoiaRequest:
    # The agency asked a question: the clock is stopped until it gets the answer.
    request = demo.file(
        agency="cbp",
        days_ago=30,
        title="TECS audit logs: queries run on journalists' names",
        body="Audit logs (user ID, timestamp, query terms, records returned) of "
        "TECS and ATS queries run on the names listed in the attachment, "
        "2018-2024.",
        tags=["cbp", "databases", "press freedom"],
        visibility=Visibility.PRIVATE,
        tracking_number="CBP-FO-2026-029940",
    )
    demo.log(request, "acknowledgement", 27)
    demo.log(
        request,
        "clarification",
        6,
        subject="Please provide dates of birth or third-party consent",
    )
    return request


def _fbi_facial_recognition(demo: Demo) -> FoiaRequest:
    # Acknowledged and due within days.
    request = demo.file(
        by="ed",
        agency="fbi",
        days_ago=23,
        title="FBI facial recognition searches run for ICE",
        body="Records showing the number of face searches the FBI's Facial Analysis, "
        "Comparison, and Evaluation (FACE) Services Unit and the NGI Interstate "
        "Photo System ran at the request of ICE, by month, 2020 to present, and any "
        "memorandum of understanding governing them.",
        tags=["fbi", "surveillance", "ice"],
        visibility=Visibility.NEWSROOM,
        tracking_number="1634220-000",
    )
    demo.log(request, "acknowledgement", 20, by="ed", channel="portal")
    return request


def _clets_misuse(demo: Demo) -> FoiaRequest:
    # California: answered on time, done.
    request = demo.file(
        agency="ca-doj",
        days_ago=40,
        title="CLETS misuse investigations reported to the California DOJ",
        body="The annual CLETS misuse reports submitted by California law "
        "enforcement agencies for 2020-2025, and the Department's summaries of "
        "them.",
        tags=["california", "databases", "misconduct"],
        visibility=Visibility.NEWSROOM,
    )
    demo.log(request, "acknowledgement", 36)
    demo.log(request, "final_response", 33, subject="Records attached")
    return request


def _nypd_database(demo: Demo) -> FoiaRequest:
    # New York: the clock counts from the acknowledgement.
    request = demo.file(
        agency="nypd",
        days_ago=16,
        title="NYPD discipline for misuse of department databases",
        body="Charges and specifications, and dispositions, in every NYPD "
        "disciplinary case from 2018 to present alleging that a member of service "
        "accessed a department or state database without a lawful purpose.",
        tags=["new york", "misconduct", "databases"],
        visibility=Visibility.NEWSROOM,
        tracking_number="FOIL-2026-056-10442",
    )
    demo.log(request, "acknowledgement", 12, channel="portal")
    return request


def _oig_database_reports(demo: Demo) -> FoiaRequest:
    # Partly denied eighty days ago: the appeal window closes soon.
    request = demo.file(
        agency="dhs-oig",
        days_ago=130,
        title="DHS OIG investigations of law-enforcement database misuse",
        body="Reports of investigation closed since 2018 in which DHS OIG "
        "substantiated misuse of TECS, ICM, EID or NCIC by a DHS employee.",
        tags=["dhs", "misconduct", "databases"],
        visibility=Visibility.NEWSROOM,
        tracking_number="2026-IGFO-00211",
    )
    demo.log(request, "acknowledgement", 126)
    demo.log(request, "interim_release", 100, subject="First release, 212 pages")
    demo.log(
        request,
        "final_response",
        80,
        subject="Final release; portions withheld under (b)(6), (b)(7)(C), (b)(7)(E)",
        to_status="partially_denied",
    )
    return request


def _uscis_vetting(demo: Demo) -> FoiaRequest:
    request = demo.file(
        agency="uscis",
        days_ago=50,
        title="USCIS FDNS social media vetting guidance",
        body="Standard operating procedures and training materials of the Fraud "
        "Detection and National Security Directorate on reviewing applicants' "
        "social media, 2019 to present.",
        tags=["uscis", "surveillance"],
        visibility=Visibility.NEWSROOM,
    )
    demo.log(request, "acknowledgement", 45)
    services.request_transition(
        actor=demo.users["rita"],
        request=request,
        to="withdrawn",
        on=demo.ago(20),
        reason="The same records were released to another outlet and posted online.",
    )
    return request


def _eoir_draft(demo: Demo) -> FoiaRequest:
    return demo.file(
        agency="eoir",
        days_ago=None,
        title="In absentia removal orders by immigration court, 2020-2025",
        body="Records sufficient to show, for each immigration court and month, "
        "the number of removal orders entered in absentia.",
        tags=["immigration courts"],
        visibility=Visibility.NEWSROOM,
    )


def _texas_dps(demo: Demo) -> FoiaRequest:
    # Texas: a fee estimate stops the clock until it is paid.
    request = demo.file(
        agency="tx-dps",
        days_ago=14,
        title="Operation Lone Star arrests referred to ICE",
        body="Arrest records of Operation Lone Star in which DPS referred the "
        "person to ICE or CBP, 2021 to present, with the charge and referral date.",
        tags=["texas", "ice"],
        visibility=Visibility.NEWSROOM,
        fee_limit="50.00",
    )
    demo.log(
        request,
        "fee_letter",
        5,
        subject="Cost estimate for programming time",
        fee_amount="385.00",
    )
    return request


def _dhs_referral(demo: Demo) -> FoiaRequest:
    # DHS headquarters referred the request to CBP, where it runs anew.
    request = demo.file(
        agency="dhs",
        days_ago=35,
        title="Privacy compliance reviews of TECS access audits",
        body="Privacy compliance reviews and audit findings concerning access to "
        "TECS by DHS components, 2018 to present.",
        tags=["dhs", "databases"],
        visibility=Visibility.NEWSROOM,
        tracking_number="2026-HQFO-00877",
    )
    services.request_refer(
        actor=demo.users["rita"],
        request=request,
        agency=Agency.objects.get(slug="cbp"),
        on=demo.ago(28),
        tracking_number="CBP-FO-2026-030551",
    )
    return request


def _chicago_leads(demo: Demo) -> FoiaRequest:
    # Illinois: the department found nothing; the appeal window is open.
    request = demo.file(
        agency="chicago-pd",
        days_ago=21,
        title="CPD audits of LEADS database queries",
        body="Audits, since 2019, of Chicago Police Department members' queries of "
        "the LEADS database, and any resulting Complaint Register numbers.",
        tags=["chicago", "databases", "misconduct"],
        visibility=Visibility.NEWSROOM,
    )
    demo.log(request, "no_records", 15, subject="No responsive records")
    return request


DEMO_REQUESTS: list[tuple[str, Callable[[Demo], FoiaRequest]]] = [
    ("ICE OPR allegations of database misuse, 2019-2025", _ice_opr_statistics),
    (
        "ICE OPR reports of investigation: agents' TECS queries on ex-partners",
        _ice_opr_reports,
    ),
    ("CBP summonses under 19 U.S.C. 1509 to technology companies", _cbp_summonses),
    ("TECS audit logs: queries run on journalists' names", _tecs_audit_logs),
    ("FBI facial recognition searches run for ICE", _fbi_facial_recognition),
    ("CLETS misuse investigations reported to the California DOJ", _clets_misuse),
    ("NYPD discipline for misuse of department databases", _nypd_database),
    (
        "DHS OIG investigations of law-enforcement database misuse",
        _oig_database_reports,
    ),
    ("USCIS FDNS social media vetting guidance", _uscis_vetting),
    ("In absentia removal orders by immigration court, 2020-2025", _eoir_draft),
    ("Operation Lone Star arrests referred to ICE", _texas_dps),
    ("Privacy compliance reviews of TECS access audits", _dhs_referral),
    ("CPD audits of LEADS database queries", _chicago_leads),
]


class Command(BaseCommand):
    help = "Load the demo newsroom (idempotent) and print its logins."

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        created = 0
        users = {}
        with transaction.atomic():
            for username, first, last, role in DEMO_USERS:
                group, _ = Group.objects.get_or_create(name=role)
                user, was_created = user_model.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@newsroom.example",
                        "is_staff": role == roles.ADMIN,
                        "is_superuser": role == roles.ADMIN,
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
                user.groups.add(group)
                users[username] = user
        demo = Demo(users, timezone.localdate())
        added = 0
        for title, build in DEMO_REQUESTS:
            if FoiaRequest.objects.filter(title=title).exists():
                continue
            with transaction.atomic():
                build(demo)
            added += 1
        load_demo_documents(self.stdout)
        self.stdout.write(
            f"Demo data ready ({created} new users, {added} new requests). Demo "
            f"logins (password {DEMO_PASSWORD}):"
        )
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<6} {role}")

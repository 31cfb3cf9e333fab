"""Letters rendered from the editable templates, and their pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from foia import services
from foia.models import Agency, LetterTemplate
from tests.foia.builders import log

pytestmark = pytest.mark.django_db
TODAY = date(2025, 5, 12)


def test_federal_request_letter_cites_the_statute_and_asks_for_waiver_and_speed(
    file_request, reporter
):
    request = file_request(
        body="All OPR reports of investigation on TECS misuse.",
        fee_waiver="requested",
        expedited="requested",
        fee_limit="50",
    )

    letter = services.letter_render(kind="request", request=request, today=TODAY)

    assert letter.subject == (
        "Freedom of Information Act request: ICE OPR misconduct investigations"
    )
    body = letter.body
    assert body.startswith("May 12, 2025")
    assert "Under the Freedom of Information Act, 5 U.S.C. 552" in body
    assert "All OPR reports of investigation on TECS misuse." in body
    assert "500 12th Street SW, Stop 5009" in body  # ICE's FOIA office
    assert "representative of the news media" in body
    assert "5 U.S.C. 552(a)(4)(A)(ii)(II)" in body
    assert "waiver of all fees under 5 U.S.C. 552(a)(4)(A)(iii)" in body
    assert "expedited processing under 5 U.S.C. 552(a)(6)(E)" in body
    assert "I agree to pay up to $50.00" in body
    assert "within 20 working days" in body
    assert body.rstrip().endswith("rita@newsroom.example")
    assert "\n\n\n" not in body


def test_request_letter_leaves_out_what_was_not_asked(file_request):
    request = file_request(fee_category="commercial")

    body = services.letter_render(kind="request", request=request).body

    assert "fee waiver" not in body.lower()
    assert "expedited" not in body.lower()
    assert "news media" not in body


def test_component_letter_goes_to_the_office_that_answers_for_it(file_request):
    opr = file_request(agency=Agency.objects.get(slug="ice-opr"))

    body = services.letter_render(kind="request", request=opr).body

    assert "ice-foia@ice.dhs.gov" in body
    assert "of the Office of Professional Responsibility" in body


def test_state_letter_names_the_state_statute(file_request, ca_doj):
    request = file_request(agency=ca_doj)

    letter = services.letter_render(kind="request", request=request)

    assert letter.subject.startswith(
        "Public records request under the California Public Records Act"
    )
    assert "Under the California Public Records Act (Cal. Gov. Code 7922.535(a))" in (
        letter.body
    )
    assert "within 10 calendar days" in letter.body


def test_follow_up_letter_for_an_overdue_request(file_request, reporter):
    request = file_request(tracking_number="2025-ICFO-00042")

    letter = services.letter_render(kind="follow_up", request=request, today=TODAY)

    assert letter.subject == (
        "Overdue FOIA request 2025-ICFO-00042: ICE OPR misconduct investigations"
    )
    assert "was due by March 31, 2025, 42 days ago" in letter.body
    assert "5 U.S.C. 552(a)(7)(B)(ii)" in letter.body
    assert "deemed to have exhausted administrative remedies" in letter.body


def test_appeal_letter_names_the_contested_exemptions(file_request, reporter):
    request = file_request(tracking_number="2025-ICFO-00042")
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    appeal = services.appeal_file(
        actor=reporter,
        request=request,
        basis="adverse",
        filed_on=date(2025, 4, 7),
        contested_exemptions=["(b)(6)", "(b)(7)(C)", "(b)(7)(E)"],
        grounds="Names of senior officials are not private.",
    )

    letter = services.letter_render(kind="appeal", request=request, appeal=appeal)

    assert (
        letter.subject == "Freedom of Information Act appeal, request 2025-ICFO-00042"
    )
    body = letter.body
    assert "Office of the Principal Legal Advisor" in body
    assert "500 12th Street SW, Mail Stop 5900" in body
    assert "I appeal the denial of my request" in body
    assert "dated April 1, 2025" in body
    assert "- (b)(6), personal privacy" in body
    assert "- (b)(7)(C), law enforcement: personal privacy" in body
    assert "- (b)(7)(E), law enforcement: techniques" in body
    assert "Names of senior officials are not private." in body


def test_draft_appeal_letter_for_a_constructive_denial(file_request):
    request = file_request()  # deadline 2025-03-31 missed

    body = services.letter_render(kind="appeal", request=request, exemptions=[]).body

    assert "constructive denial" in body
    assert "was due by March 31, 2025" in body
    assert "I contest the withholdings" not in body


def test_an_edited_template_changes_the_letter(file_request):
    template = LetterTemplate.objects.get(kind="request", jurisdiction__code="US")
    template.body = "Dear {{ contact.name }}, please send {{ request.title }}."
    template.save()

    body = services.letter_render(kind="request", request=file_request()).body

    assert body == (
        "Dear U.S. Immigration and Customs Enforcement, please send ICE OPR "
        "misconduct investigations.\n"
    )


def test_a_broken_template_gives_a_readable_error(file_request):
    template = LetterTemplate.objects.get(kind="follow_up", jurisdiction__code="US")
    template.body = "{% if request.title %}unclosed"
    template.save()

    with pytest.raises(ValidationError, match="Federal FOIA follow-up .* has an error"):
        services.letter_render(kind="follow_up", request=file_request())


def test_template_admin_validation_catches_syntax_errors():
    template = LetterTemplate(
        kind="request", name="x", subject="{{ ok }}", body="{% if a %}no end"
    )
    with pytest.raises(ValidationError) as caught:
        template.full_clean(validate_unique=False)
    assert "Template error" in caught.value.message_dict["body"][0]


# --- Pages -------------------------------------------------------------------------


def test_letter_page_shows_the_letter_for_copying(client, reporter, file_request):
    request = file_request()
    client.force_login(reporter)

    page = client.get(f"/requests/{request.pk}/letters/request/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="letter-text"' in html and 'data-copy-target="letter-text"' in html
    assert "Under the Freedom of Information Act, 5 U.S.C. 552" in html


def test_letter_downloads_as_text(client, reporter, file_request):
    request = file_request()
    client.force_login(reporter)

    response = client.get(f"/requests/{request.pk}/letters/follow_up/?format=txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert (
        f"request-{request.pk}-follow-up-letter.txt"
        in (response["Content-Disposition"])
    )
    text = response.content.decode()
    assert text.startswith("Subject: Overdue FOIA request")


def test_letter_print_view_has_no_site_chrome(client, reporter, file_request):
    request = file_request()
    client.force_login(reporter)

    html = client.get(f"/requests/{request.pk}/letters/request/print/").content.decode()

    assert 'class="printed-letter"' in html
    assert 'class="topbar"' not in html
    assert "<script>" not in html and "style=" not in html


def test_draft_appeal_letter_page_takes_the_exemptions_to_contest(
    client, reporter, file_request
):
    request = file_request()
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    client.force_login(reporter)

    html = client.get(
        f"/requests/{request.pk}/letters/appeal/?exemptions=b5&exemptions=b7e"
    ).content.decode()

    assert "(b)(5), inter- or intra-agency privileged memoranda" in html
    assert "(b)(7)(E), law enforcement: techniques" in html


def test_unknown_letter_kind_is_not_found(client, reporter, file_request):
    request = file_request()
    client.force_login(reporter)
    assert client.get(f"/requests/{request.pk}/letters/ransom/").status_code == 404

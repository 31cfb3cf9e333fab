"""The legal clock: worked examples checked by hand against a printed calendar.

Each expected date was counted day by day on ``python -m calendar`` output, with the
holidays of the jurisdiction's statute written out by hand, not taken from the code
under test. The property tests at the end check the rules that must hold for any
date.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foia.deadlines import (
    DEADLINE_NAMES,
    JURISDICTIONS_PATH,
    Calendar,
    ClockRule,
    Deadlines,
    HolidayRule,
    compute_deadlines,
    holiday_dates,
    load_rules,
    observed_holidays,
)

RULES = load_rules()
REQUIRED_CODES = {
    "US",
    "US-CA",
    "US-NY",
    "US-TX",
    "US-IL",
    "US-FL",
    "US-MA",
    "US-PA",
    "US-WA",
    "US-MI",
    "US-NJ",
}


def deadlines(code: str, **inputs) -> Deadlines:
    rule, holidays = RULES[code]
    return compute_deadlines(rule=rule, holidays=holidays, **inputs)


def calendar_for(code: str, **kwargs) -> Calendar:
    return Calendar(RULES[code][1], **kwargs)


def holidays_in(code: str, year: int, **kwargs) -> frozenset[date]:
    return holiday_dates(RULES[code][1], year, **kwargs)


# --- The data ---------------------------------------------------------------------


def test_every_required_jurisdiction_is_in_the_data():
    assert set(RULES) >= REQUIRED_CODES


@pytest.mark.parametrize("code", sorted(REQUIRED_CODES))
def test_every_deadline_the_data_sets_cites_its_statute(code):
    rule, holidays = RULES[code]
    cited = {
        "response": True,
        "extension": rule.extension_days is not None,
        "expedite": rule.expedite_decision_days is not None,
        "appeal_filing": rule.appeal_filing_days is not None,
        "appeal_decision": rule.appeal_decision_days is not None,
        "appeal_extension": rule.appeal_extension_days is not None,
        "acknowledge": rule.acknowledge_days is not None,
        "misdirected": rule.misdirected_grace_days is not None,
    }
    for key, needed in cited.items():
        if needed:
            assert rule.citations.get(key), f"{code} has no citation for {key}"
    assert all(holiday.citation for holiday in holidays)


def test_the_json_is_flat_enough_to_load_into_tables():
    raw = json.loads(JURISDICTIONS_PATH.read_text(encoding="utf-8"))
    for entry in raw["jurisdictions"]:
        assert set(entry) == {"code", "name", "rule", "holidays"}
        nested = {
            key
            for key, value in entry["rule"].items()
            if isinstance(value, dict | list)
        }
        assert nested <= {"citations", "notes"}


def test_unknown_keys_in_the_data_are_rejected_with_the_jurisdiction_named(
    tmp_path,
):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "jurisdictions": [
                    {
                        "code": "XX",
                        "name": "Nowhere",
                        "rule": {"response_days": 5, "reponse_unit": "business"},
                        "holidays": [],
                    }
                ]
            }
        )
    )
    with pytest.raises(ValueError, match="XX.*reponse_unit"):
        load_rules(path)


def test_a_relative_holiday_must_name_a_holiday_in_the_same_list(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "jurisdictions": [
                    {
                        "code": "XX",
                        "name": "Nowhere",
                        "rule": {"response_days": 5},
                        "holidays": [
                            {
                                "name": "Day after",
                                "kind": "relative",
                                "base": "Thanksgiving",
                                "offset_days": 1,
                            }
                        ],
                    }
                ]
            }
        )
    )
    with pytest.raises(ValueError, match="Thanksgiving"):
        load_rules(path)


def test_a_malformed_holiday_rule_says_what_is_missing():
    with pytest.raises(ValueError, match="month and day"):
        HolidayRule(name="Broken", kind="fixed", month=7)
    with pytest.raises(ValueError, match="n must be"):
        HolidayRule(name="Broken", kind="nth_weekday", month=5, weekday=0, n=6)
    with pytest.raises(ValueError, match="observed"):
        HolidayRule(name="Broken", kind="fixed", month=7, day=4, observed="always")


# --- Holidays ---------------------------------------------------------------------


def test_saturday_holiday_is_observed_the_friday_before():
    assert date(2026, 7, 4).weekday() == 5
    federal_2026 = holidays_in("US", 2026)
    assert date(2026, 7, 3) in federal_2026
    assert date(2026, 7, 4) not in federal_2026


def test_sunday_holiday_is_observed_the_monday_after():
    assert date(2022, 12, 25).weekday() == 6
    assert date(2022, 12, 26) in holidays_in("US", 2022)


def test_new_years_day_on_a_saturday_is_observed_on_new_years_eve():
    assert date(2022, 1, 1).weekday() == 5
    assert date(2021, 12, 31) in holidays_in("US", 2021)
    assert date(2022, 1, 1) not in holidays_in("US", 2022)
    assert not calendar_for("US").is_working_day(date(2021, 12, 31))


def test_juneteenth_is_a_federal_holiday_only_from_2021():
    assert date(2020, 6, 19) not in holidays_in("US", 2020)  # a Friday
    assert date(2021, 6, 18) in holidays_in("US", 2021)  # June 19 was a Saturday
    assert date(2022, 6, 20) in holidays_in("US", 2022)  # June 19 was a Sunday


def test_veterans_day_was_the_fourth_monday_of_october_from_1971_to_1977():
    assert date(1975, 10, 27) in holidays_in("US", 1975)
    assert date(1975, 11, 11) not in holidays_in("US", 1975)
    assert date(1978, 11, 10) in holidays_in("US", 1978)  # Nov 11 was a Saturday


def test_inauguration_day_counts_only_when_the_dc_area_is_asked_for():
    assert date(2021, 1, 20) not in holidays_in("US", 2021)
    assert date(2021, 1, 20) in holidays_in("US", 2021, scopes={"DC area"})
    assert date(2017, 1, 20) in holidays_in("US", 2017, scopes={"DC area"})
    not_an_inauguration_year = observed_holidays(
        RULES["US"][1], 2019, scopes={"DC area"}
    )
    assert "Inauguration Day" not in {rule.name for _, rule in not_an_inauguration_year}
    # 2013: January 20 was a Sunday, so the holiday moved to Monday the 21st.
    names = {
        rule.name
        for day, rule in observed_holidays(RULES["US"][1], 2013, scopes={"DC area"})
        if day == date(2013, 1, 21)
    }
    assert "Inauguration Day" in names


def test_executive_order_closures_are_not_legal_public_holidays():
    assert calendar_for("US").is_working_day(date(2024, 12, 24))


def test_good_friday_follows_easter():
    assert date(2024, 3, 29) in holidays_in("US-NJ", 2024)
    assert date(2025, 4, 18) in holidays_in("US-NJ", 2025)
    assert date(2026, 4, 3) in holidays_in("US-NJ", 2026)


def test_new_jersey_juneteenth_is_the_third_friday_in_june():
    assert date(2025, 6, 20) in holidays_in("US-NJ", 2025)
    assert date(2025, 6, 19) not in holidays_in("US-NJ", 2025)


def test_election_day_is_the_tuesday_after_the_first_monday_in_november():
    assert date(2026, 11, 3) in holidays_in("US-NY", 2026)
    assert date(2022, 11, 8) in holidays_in("US-NY", 2022)
    assert date(2023, 11, 7) in holidays_in("US-NY", 2023)


def test_illinois_closes_for_election_day_only_in_even_years():
    assert date(2026, 11, 3) in holidays_in("US-IL", 2026)
    assert date(2025, 11, 4) not in holidays_in("US-IL", 2025)


def test_day_after_thanksgiving_is_anchored_on_thanksgiving():
    assert date(2026, 11, 27) in holidays_in("US-WA", 2026)
    assert date(2025, 11, 28) in holidays_in("US-FL", 2025)


def test_texas_does_not_move_a_weekend_holiday_to_a_weekday():
    assert calendar_for("US-TX").is_working_day(date(2026, 7, 3))
    assert not calendar_for("US").is_working_day(date(2026, 7, 3))


def test_california_moves_a_saturday_holiday_only_for_veterans_day():
    ca = calendar_for("US-CA")
    assert date(2023, 11, 11).weekday() == 5
    assert ca.is_holiday(date(2023, 11, 10))
    assert not ca.is_holiday(date(2026, 7, 3))


def test_suffolk_county_holidays_apply_only_when_asked_for():
    assert date(2026, 3, 17) not in holidays_in("US-MA", 2026)
    assert date(2026, 3, 17) in holidays_in("US-MA", 2026, scopes={"Suffolk County"})


def test_an_open_office_legal_holiday_is_a_business_day_that_deadlines_skip():
    ca = calendar_for("US-CA")
    lincoln_day = date(2026, 2, 12)
    assert ca.is_working_day(lincoln_day)
    assert ca.is_holiday(lincoln_day)
    assert ca.roll_forward(lincoln_day) == date(2026, 2, 13)


# --- Calendar arithmetic ------------------------------------------------------------


def test_day_zero_is_the_start_and_weekends_do_not_count():
    us = calendar_for("US")
    assert us.add_working_days(date(2026, 3, 6), 0) == date(2026, 3, 6)
    assert us.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert us.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_working_days_between_counts_the_end_but_not_the_start():
    us = calendar_for("US")
    assert us.working_days_between(date(2026, 3, 10), date(2026, 3, 17)) == 5
    assert us.working_days_between(date(2026, 3, 17), date(2026, 3, 10)) == 0


def test_calendar_days_roll_forward_only_when_asked():
    us = calendar_for("US")
    assert us.add_calendar_days(date(2026, 3, 4), 10) == date(2026, 3, 14)
    assert us.add_calendar_days(date(2026, 3, 4), 10, roll_forward=True) == date(
        2026, 3, 16
    )


def test_leap_day_counts_as_a_calendar_day():
    ca = calendar_for("US-CA")
    assert ca.add_calendar_days(date(2024, 2, 19), 10) == date(2024, 2, 29)
    assert ca.add_calendar_days(date(2023, 2, 19), 10) == date(2023, 3, 1)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match=">= 0"):
        calendar_for("US").add_working_days(date(2026, 3, 2), -1)


# --- Federal FOIA -----------------------------------------------------------------


def test_federal_response_is_due_twenty_working_days_after_receipt():
    result = deadlines("US", received=date(2026, 3, 2))
    assert result.response_due == date(2026, 3, 30)


def test_unusual_circumstances_add_ten_working_days():
    result = deadlines("US", received=date(2026, 3, 2))
    assert result.extended_due == date(2026, 4, 13)


def test_request_received_the_friday_before_a_monday_holiday():
    # Memorial Day (May 25) and Juneteenth (Friday June 19) both fall inside.
    result = deadlines("US", received=date(2026, 5, 22))
    assert result.response_due == date(2026, 6, 23)


def test_observed_independence_day_pushes_the_deadline_a_day():
    # July 4, 2026 is a Saturday; Friday July 3 is the holiday.
    result = deadlines("US", received=date(2026, 6, 22))
    assert result.response_due == date(2026, 7, 21)


def test_request_spanning_new_year_skips_both_observed_holidays_and_mlk_day():
    # Christmas 2021 (Sat) observed Fri Dec 24; New Year 2022 (Sat) observed Fri
    # Dec 31, 2021; Martin Luther King Day Monday Jan 17, 2022.
    result = deadlines("US", received=date(2021, 12, 20))
    assert result.response_due == date(2022, 1, 20)


def test_information_request_tolls_the_clock_from_the_day_after_asking():
    # Asked Tue Mar 10, answered Tue Mar 17: Mar 11-13 and 16-17 are tolled.
    result = deadlines(
        "US", received=date(2026, 3, 2), tolls=[(date(2026, 3, 10), date(2026, 3, 17))]
    )
    assert result.response_due == date(2026, 4, 6)
    assert result.extended_due == date(2026, 4, 20)


def test_several_fee_clarifications_each_toll_the_clock():
    tolls = [
        (date(2026, 3, 10), date(2026, 3, 17)),  # information: 5 working days
        (date(2026, 3, 20), date(2026, 3, 24)),  # fees: Mar 23-24, 2 days
        (date(2026, 3, 26), date(2026, 3, 26)),  # fees, answered the same day: 0
    ]
    result = deadlines("US", received=date(2026, 3, 2), tolls=tolls)
    assert result.response_due == date(2026, 4, 8)


def test_overlapping_tolls_do_not_count_a_day_twice():
    tolls = [
        (date(2026, 3, 10), date(2026, 3, 17)),
        (date(2026, 3, 12), date(2026, 3, 19)),
    ]
    result = deadlines("US", received=date(2026, 3, 2), tolls=tolls)
    assert result.response_due == date(2026, 4, 8)  # (Mar 10, Mar 19]: 7 days


def test_a_toll_asked_for_after_the_deadline_does_not_revive_the_clock():
    result = deadlines(
        "US", received=date(2026, 3, 2), tolls=[(date(2026, 4, 1), date(2026, 4, 10))]
    )
    assert result.response_due == date(2026, 3, 30)


def test_a_toll_asked_for_on_the_last_day_still_counts():
    result = deadlines(
        "US", received=date(2026, 3, 2), tolls=[(date(2026, 3, 30), date(2026, 4, 1))]
    )
    assert result.response_due == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("tolls", "message"),
    [
        ([(date(2026, 3, 17), date(2026, 3, 10))], "ends before it starts"),
        ([(date(2026, 2, 27), date(2026, 3, 10))], "before the request was received"),
    ],
)
def test_impossible_tolls_are_refused_with_a_readable_message(tolls, message):
    with pytest.raises(ValueError, match=message):
        deadlines("US", received=date(2026, 3, 2), tolls=tolls)


def test_tolls_without_a_receipt_date_are_refused():
    with pytest.raises(ValueError, match="received"):
        deadlines("US", tolls=[(date(2026, 3, 10), date(2026, 3, 17))])


def test_misdirected_request_starts_ten_working_days_after_first_receipt():
    result = deadlines(
        "US", first_received=date(2026, 3, 2), received=date(2026, 3, 23)
    )
    # The clock starts Mon Mar 16 (10 working days after Mar 2), not Mar 23.
    assert result.response_due == date(2026, 4, 13)
    assert result.expedite_decision_due == date(2026, 4, 2)


def test_misdirected_request_reaching_the_proper_component_early_starts_then():
    result = deadlines(
        "US", first_received=date(2026, 3, 2), received=date(2026, 3, 10)
    )
    assert result.response_due == date(2026, 4, 7)


def test_first_receipt_after_proper_receipt_is_refused():
    with pytest.raises(ValueError, match="first receipt"):
        deadlines("US", first_received=date(2026, 3, 5), received=date(2026, 3, 2))


def test_expedited_processing_is_decided_in_ten_calendar_days_without_rolling():
    result = deadlines("US", received=date(2026, 3, 4))
    assert result.expedite_decision_due == date(2026, 3, 14)  # a Saturday


def test_no_expedite_deadline_unless_expedition_was_asked_for():
    result = deadlines("US", received=date(2026, 3, 4), expedited_requested=False)
    assert result.expedite_decision_due is None


def test_appeal_window_is_ninety_calendar_days_counting_leap_day():
    assert deadlines("US", adverse=date(2024, 1, 15)).appeal_filing_due == date(
        2024, 4, 14
    )
    assert deadlines("US", adverse=date(2023, 1, 15)).appeal_filing_due == date(
        2023, 4, 15
    )


def test_federal_appeal_deadline_on_a_weekend_does_not_roll_forward():
    assert date(2024, 4, 14).weekday() == 6
    assert deadlines("US", adverse=date(2024, 1, 15)).appeal_filing_due == date(
        2024, 4, 14
    )


def test_appeal_is_decided_in_twenty_working_days_or_thirty_when_unusual():
    result = deadlines("US", appeal_received=date(2026, 3, 2))
    assert result.appeal_decision_due == date(2026, 3, 30)
    assert result.appeal_decision_extended_due == date(2026, 4, 13)


def test_only_deadlines_that_follow_from_the_inputs_are_given():
    assert deadlines("US") == Deadlines()
    appeal_only = deadlines("US", adverse=date(2026, 3, 2))
    assert appeal_only.response_due is None
    assert appeal_only.appeal_decision_due is None
    assert [name for name, _ in appeal_only.items()] == ["appeal_filing_due"]


def test_items_lists_deadlines_in_the_commands_order():
    result = deadlines(
        "US",
        received=date(2026, 3, 2),
        adverse=date(2026, 4, 1),
        appeal_received=date(2026, 4, 6),
    )
    assert [name for name, _ in result.items()] == list(DEADLINE_NAMES)


def test_appeal_received_before_the_adverse_determination_is_refused():
    with pytest.raises(ValueError, match="appeal receipt"):
        deadlines("US", adverse=date(2026, 4, 1), appeal_received=date(2026, 3, 30))


# --- States -----------------------------------------------------------------------


def test_california_counts_ten_calendar_days_and_fourteen_more():
    result = deadlines("US-CA", received=date(2024, 2, 19))
    assert result.response_due == date(2024, 2, 29)
    assert result.extended_due == date(2024, 3, 14)
    assert result.appeal_filing_due is None


def test_california_deadline_on_a_weekend_rolls_to_monday():
    result = deadlines("US-CA", received=date(2026, 3, 18))
    assert result.response_due == date(2026, 3, 30)  # Sat Mar 28 -> Mon Mar 30


def test_california_deadline_on_cesar_chavez_day_rolls_to_the_next_day():
    result = deadlines("US-CA", received=date(2026, 3, 21))
    assert result.response_due == date(2026, 4, 1)  # Tue Mar 31 is the holiday


def test_new_york_must_acknowledge_within_five_business_days():
    # Lincoln's Birthday (Thu Feb 12) and Washington's Birthday (Mon Feb 16).
    result = deadlines("US-NY", received=date(2026, 2, 9))
    assert result.acknowledgement_due == date(2026, 2, 18)


def test_new_york_clock_restarts_at_acknowledgement():
    result = deadlines(
        "US-NY", received=date(2026, 2, 9), acknowledged=date(2026, 2, 13)
    )
    assert result.response_due == date(2026, 3, 16)
    assert result.extended_due is None


def test_new_york_without_acknowledgement_counts_from_its_last_lawful_day():
    result = deadlines("US-NY", received=date(2026, 2, 9))
    assert result.response_due == date(2026, 3, 18)


def test_acknowledgement_before_receipt_is_refused():
    with pytest.raises(ValueError, match="acknowledgement"):
        deadlines("US-NY", received=date(2026, 2, 9), acknowledged=date(2026, 2, 6))


def test_new_york_keeps_a_saturday_holiday_on_saturday():
    assert calendar_for("US-NY").is_working_day(date(2026, 7, 3))
    # Appeal window of 30 days ends Sat Jul 4; Sunday follows, so Monday Jul 6.
    result = deadlines("US-NY", adverse=date(2026, 6, 4))
    assert result.appeal_filing_due == date(2026, 7, 6)


def test_new_york_appeal_decision_skips_election_day_and_veterans_day():
    result = deadlines("US-NY", appeal_received=date(2026, 11, 2))
    assert result.appeal_decision_due == date(2026, 11, 18)
    assert result.appeal_decision_extended_due is None


def test_texas_counts_ten_business_days_around_state_holidays():
    # Texas Independence Day, Monday March 2, 2026.
    result = deadlines("US-TX", received=date(2026, 2, 25))
    assert result.response_due == date(2026, 3, 12)
    assert result.extended_due is None


def test_texas_attorney_general_rules_within_forty_five_business_days():
    # San Jacinto Day (Tue Apr 21) is skipped.
    result = deadlines("US-TX", appeal_received=date(2026, 3, 3))
    assert result.appeal_decision_due == date(2026, 5, 6)
    assert result.appeal_decision_extended_due == date(2026, 5, 20)


def test_illinois_allows_five_business_days_and_five_more():
    # Lincoln's Birthday (Thu Feb 12) and Washington's Birthday (Mon Feb 16).
    result = deadlines("US-IL", received=date(2026, 2, 11))
    assert result.response_due == date(2026, 2, 20)
    assert result.extended_due == date(2026, 2, 27)


def test_illinois_deadline_landing_on_pulaski_day_rolls_to_the_next_day():
    # State offices are open on Pulaski Day (Mon Mar 2), so it counts as day 5,
    # but a deadline may not end on a legal holiday (5 ILCS 70/1.11).
    result = deadlines("US-IL", received=date(2026, 2, 23))
    assert result.response_due == date(2026, 3, 3)


def test_illinois_public_access_counselor_review():
    result = deadlines(
        "US-IL", adverse=date(2026, 3, 2), appeal_received=date(2026, 3, 2)
    )
    assert result.appeal_filing_due == date(2026, 5, 1)
    assert result.appeal_decision_due == date(2026, 5, 1)
    assert result.appeal_decision_extended_due == date(2026, 6, 15)


def test_florida_sets_no_response_deadline():
    result = deadlines("US-FL", received=date(2026, 3, 2))
    assert result.response_due is None
    assert result.extended_due is None
    assert result.no_response_deadline
    assert result.items() == [("response_due", None)]


def test_massachusetts_allows_ten_business_days_and_fifteen_more():
    # Patriots' Day (Mon Apr 20) and Memorial Day (Mon May 25).
    result = deadlines("US-MA", received=date(2026, 4, 17))
    assert result.response_due == date(2026, 5, 4)
    assert result.extended_due == date(2026, 5, 26)


def test_massachusetts_suffolk_county_skips_evacuation_day():
    assert deadlines("US-MA", received=date(2026, 3, 16)).response_due == date(
        2026, 3, 30
    )
    suffolk = deadlines("US-MA", received=date(2026, 3, 16), scopes={"Suffolk County"})
    assert suffolk.response_due == date(2026, 3, 31)


def test_massachusetts_appeal_window_rolls_off_a_weekend():
    # 90 days after Fri Mar 6, 2026 is Thu Jun 4; after Sat Mar 7 it is Fri Jun 5;
    # after Mon Mar 9 it is Sun Jun 7, which rolls to Mon Jun 8.
    result = deadlines(
        "US-MA", adverse=date(2026, 3, 9), appeal_received=date(2026, 6, 8)
    )
    assert result.appeal_filing_due == date(2026, 6, 8)
    assert result.appeal_decision_due == date(2026, 6, 23)  # Juneteenth Fri Jun 19


def test_pennsylvania_extension_is_thirty_calendar_days_after_five_business_days():
    # Election Day (Tue Nov 3) is a legal holiday but Commonwealth offices are open.
    result = deadlines("US-PA", received=date(2026, 11, 2))
    assert result.response_due == date(2026, 11, 9)
    assert result.extended_due == date(2026, 12, 9)


def test_pennsylvania_extension_ending_on_good_friday_rolls_to_monday():
    result = deadlines("US-PA", received=date(2026, 2, 25))
    assert result.response_due == date(2026, 3, 4)
    assert result.extended_due == date(2026, 4, 6)  # Apr 3 is Good Friday


def test_pennsylvania_appeal_is_due_in_fifteen_business_days():
    # Thanksgiving and the day after (Nov 26-27) are skipped.
    result = deadlines("US-PA", adverse=date(2026, 11, 20))
    assert result.appeal_filing_due == date(2026, 12, 15)


def test_pennsylvania_office_of_open_records_decides_in_thirty_days():
    result = deadlines("US-PA", appeal_received=date(2026, 3, 2))
    assert result.appeal_decision_due == date(2026, 4, 1)
    assert result.appeal_decision_extended_due is None


def test_washington_responds_in_five_business_days_with_no_final_deadline():
    # Thanksgiving and Native American Heritage Day (Nov 26-27).
    result = deadlines("US-WA", received=date(2026, 11, 25))
    assert result.response_due == date(2026, 12, 4)
    assert result.extended_due is None
    assert result.appeal_filing_due is None


def test_michigan_allows_five_business_days_and_ten_more():
    result = deadlines("US-MI", received=date(2026, 2, 11))
    assert result.response_due == date(2026, 2, 20)
    assert result.extended_due == date(2026, 3, 6)


def test_michigan_counts_the_day_after_thanksgiving_as_a_business_day():
    result = deadlines("US-MI", received=date(2026, 11, 25))
    assert result.response_due == date(2026, 12, 3)


def test_michigan_appeal_window_and_decision():
    result = deadlines(
        "US-MI", adverse=date(2026, 3, 2), appeal_received=date(2026, 5, 18)
    )
    assert result.appeal_filing_due == date(2026, 8, 31)  # Sat Aug 29 rolls
    assert result.appeal_decision_due == date(2026, 6, 2)
    assert result.appeal_decision_extended_due == date(2026, 6, 16)


def test_new_jersey_counts_seven_business_days_skipping_good_friday():
    result = deadlines("US-NJ", received=date(2026, 3, 31))
    assert result.response_due == date(2026, 4, 10)
    assert result.extended_due is None


def test_new_jersey_challenge_window_ending_on_memorial_day_rolls():
    result = deadlines("US-NJ", adverse=date(2026, 4, 10))
    assert result.appeal_filing_due == date(2026, 5, 26)


# --- Rules built in code, as the app builds them from rows ----------------------------


def test_a_rule_counting_from_acknowledgement_needs_acknowledgement_days():
    with pytest.raises(ValueError, match="acknowledgement"):
        ClockRule(code="XX", name="X", response_days=5, counts_from="acknowledged")


def test_a_rule_refuses_negative_days():
    with pytest.raises(ValueError, match="response_days"):
        ClockRule(code="XX", name="X", response_days=-1)


def test_tolled_calendar_days_are_counted_in_calendar_days():
    rule = ClockRule(code="XX", name="X", response_days=10, response_unit="calendar")
    result = compute_deadlines(
        rule=rule,
        holidays=[],
        received=date(2026, 3, 2),
        tolls=[(date(2026, 3, 5), date(2026, 3, 9))],
    )
    assert result.response_due == date(2026, 3, 16)  # Mar 12 + 4 paused days


# --- Properties -------------------------------------------------------------------

CODES = sorted(RULES)
BUSINESS_CODES = sorted(
    code
    for code, (rule, _) in RULES.items()
    if rule.response_days is not None and rule.response_unit == "business"
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
gaps = st.integers(min_value=0, max_value=400)


@settings(deadline=None)
@given(code=st.sampled_from(CODES), received=days, later_by=gaps)
def test_a_later_receipt_never_gives_an_earlier_deadline(code, received, later_by):
    early = deadlines(code, received=received)
    late = deadlines(code, received=received + timedelta(days=later_by))
    for name in (
        "response_due",
        "extended_due",
        "expedite_decision_due",
        "acknowledgement_due",
    ):
        if getattr(early, name) is not None:
            assert getattr(late, name) >= getattr(early, name)


@settings(deadline=None)
@given(code=st.sampled_from(BUSINESS_CODES), received=days)
def test_a_business_day_deadline_is_never_a_non_working_day(code, received):
    result = deadlines(code, received=received)
    assert calendar_for(code).is_working_day(result.response_due)


@settings(deadline=None)
@given(
    code=st.sampled_from(CODES),
    start=days,
    count=st.integers(min_value=1, max_value=60),
)
def test_adding_working_days_lands_on_a_working_day_that_many_days_on(
    code, start, count
):
    cal = calendar_for(code)
    end = cal.add_working_days(start, count)
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == count


@settings(deadline=None)
@given(
    code=st.sampled_from(CODES),
    received=days,
    toll_offsets=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60),
            st.integers(min_value=0, max_value=30),
        ),
        max_size=4,
    ),
)
def test_tolling_never_makes_a_deadline_earlier(code, received, toll_offsets):
    tolls = [
        (
            received + timedelta(days=start),
            received + timedelta(days=start + length),
        )
        for start, length in toll_offsets
    ]
    untolled = deadlines(code, received=received)
    tolled = deadlines(code, received=received, tolls=tolls)
    for name in ("response_due", "extended_due"):
        if getattr(untolled, name) is not None:
            assert getattr(tolled, name) >= getattr(untolled, name)


@settings(deadline=None)
@given(code=st.sampled_from(CODES), year=st.integers(min_value=1971, max_value=2060))
def test_holidays_moved_off_weekends_never_land_on_one(code, year):
    for day, rule in observed_holidays(RULES[code][1], year):
        if rule.observed == "fri_before_sat_mon_after_sun":
            assert day.weekday() < 5
        assert day.year == year

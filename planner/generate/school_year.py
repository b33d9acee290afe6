"""The school year 2026/27 the generator plans: weeks, holidays per holiday region, popular start weeks."""

from __future__ import annotations

__all__ = [
    "AUTUMN_STARTS", "BBL_FORM", "FIRST_WEEK", "HOLIDAYS_2026_27", "LAST_WEEK", "OFF_PEAK_STARTS",
    "PREFERRED_START_SHARE", "SEMESTER_SHARES", "WINTER_STARTS",
]

FIRST_WEEK, LAST_WEEK = "2026-W36", "2027-W28"

# School holidays 2026/27 per holiday region, in ISO weeks (approximately the recommended
# dates): autumn 10-18 Oct (noord) / 17-25 Oct (midden, zuid); Christmas 2026-W52 and W53
# everywhere; spring break with carnival (7-9 Feb 2027) in the south, a week later and two
# weeks later elsewhere; a two-week May break around King's Day; the northern summer break
# starting in 2027-W28.
HOLIDAYS_2026_27: dict[str, list[str]] = {
    "noord": ["2026-W42", "2026-W52", "2026-W53", "2027-W08", "2027-W17", "2027-W18", "2027-W28"],
    "midden": ["2026-W43", "2026-W52", "2026-W53", "2027-W07", "2027-W17", "2027-W18"],
    "zuid": ["2026-W43", "2026-W52", "2026-W53", "2027-W06", "2027-W17", "2027-W18"],
}

# Start weeks schools favour today (status quo): right after the summer (autumn); after the
# Christmas break, at the start of the third period and after the spring break (winter); a
# few cohorts start at other period starts (off-peak). Each institution has a favourite
# autumn and winter week.
AUTUMN_STARTS = ("2026-W37", "2026-W38", "2026-W39")
WINTER_STARTS = ("2027-W02", "2027-W06", "2027-W09")
OFF_PEAK_STARTS = ("2026-W46", "2027-W12", "2027-W15")
SEMESTER_SHARES = (0.60, 0.33, 0.07)  # autumn, winter, off-peak
PREFERRED_START_SHARE = 0.75  # cohorts that start in their institution's favourite week

BBL_FORM = "line:4x36"  # BBL students work four days a week (BBL_DAYS) the whole year

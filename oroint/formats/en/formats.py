"""One date format everywhere in the back office, with the time zone it is in shown (settings.TIME_ZONE).

Django's own English formats ("Dec. 1, 2026, 5:43 p.m.") say nothing of the zone and sort badly;
FORMAT_MODULE_PATH points here so that the admin's own fields use these too.
"""

DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

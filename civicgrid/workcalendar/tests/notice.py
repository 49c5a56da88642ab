# An illustrative 2027 notice for the tests (the real one is published by the State Council late
# in 2026): New Year Fri 1 – Sun 3 January, Spring Festival 6–14 February, Saturday 20 February
# worked in exchange.
NOTICE_2027_HOLIDAYS = "元旦=2027-01-01:2027-01-03,春节=2027-02-06:2027-02-14"
NOTICE_2027_WORKDAYS = "春节=2027-02-20"

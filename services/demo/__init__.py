"""`cerdas demo`: the 2023 cohort of Menuju Kota/Kabupaten Cerdas, told end to end against running services."""

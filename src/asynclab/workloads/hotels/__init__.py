"""The hotel-availability domain the ORM workloads query: hotels, rooms, offers, reviews."""

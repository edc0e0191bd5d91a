"""A month's reading round and the routes the readers walk: opening and closing a round (the
connections not read are estimated at the close), building the routes from the sectors."""

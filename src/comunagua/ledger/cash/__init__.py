"""The cash desk (caja): the till's sessions, payments and their reversal, the printed receipt."""

"""The normalized schema shared by workflows, activities, starters and the API."""

"""好差评: the citizen's rating of a guide and the admin summary of ratings.

service (RatingService, parse; no Flask) and views (the rating form and thanks page).
May import guide_server's shared modules (db, security, web, extensions).
"""

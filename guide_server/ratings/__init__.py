"""好差评: the citizen's rating, the 差评 follow-up, the hall manager's figures, published results.

Without Flask: service (RatingService, parse), cases (CaseService: states, roles, deadlines),
calendar (working days from the holiday files in holidays/), contacts (the encrypted contact of a
实名差评), models (tables), stats (figures as tables), charts (pygal SVG), exports (CSV/XLSX),
intake (kiosk events into the figures). Views: views (the rating form, thanks, /pingjia) and
admin_views (/admin/stats, /admin/cases). May import accounts, public and the shared modules.
"""

"""Read-only views: what pages, the API and reports show. Never writes.

One module per concept; the pages (webapp/pages) and the API (webapp/api, through
webapp/api/serialize.py) read the same data classes:
  workqueue     the user's queue (home page): sections, counts, keyset pages
  item_detail   a task or deliverable with everything around it; the draft for editing
  attachments   files of an item or a contribution; who may download one
  votes         council votes: this round's rows, the page's panel, who may vote
  contributions coordinating units' contributions and who may add one
  delegations   delegations, and the authority they lend on an item's page
  versions      a regulation's versions and their diff
  trail         the audit trail: one item's events, the filtered trail, CSV export, notes
  dashboard     a plan's progress in figures
  plans         one plan's overview, the list of plans, the province's figures
  reporting     the plan report's data (documents/ renders it)
  commendation  the draft commendation decision's data (documents/ renders it)
  queries       lookups: plans, tasks, units, users, an item the actor may see
  deadlines     today in Việt Nam, overdue, due soon
  wording       how people, trail actions, items and plans are named (labels, names)
"""

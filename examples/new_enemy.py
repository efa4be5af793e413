"""The "new enemy" problem of Zanzibar-style authorization (Google Zanzibar, SpiceDB).

An application keeps its documents in its own database and asks an authorization service
("can Bob view this folder?") before showing them. Alice removes Bob from a folder's viewers,
then adds a new document to the folder. Bob must not see that document: it was added after he
lost access. But the authorization service answers from replicated snapshots, and a check
evaluated at a snapshot from before Bob's removal still says yes: Bob, the "new enemy", sees
content he was never allowed to see. Zanzibar's answer is the *zookie* (SpiceDB's
*ZedToken*): when content changes, the application stores the revision of its latest ACL
change with it, and later checks for that content are evaluated at a snapshot at least that
fresh.

Sources: R. Pang et al., "Zanzibar: Google's Consistent, Global Authorization System", USENIX
ATC 2019, section 2.2 ("new enemy" problem, example A); AuthZed, SpiceDB documentation,
"Consistency" (``minimize_latency``, ``at_least_as_fresh``, ZedTokens),
https://authzed.com/docs/spicedb/concepts/consistency

The model: the folder's viewers at each revision of the authorization service (``acl``,
revision 1: Alice and Bob); the documents in the application's database, each with the
revision current when it was added (its ZedToken). ``remove_viewer`` makes a new revision;
``add_document`` writes a document; ``read(user, doc, revision)`` shows the document when the
user may view the folder at the snapshot ``revision`` the check was evaluated at, which the
consistency mode chooses:

* ``consistency="minimize_latency"``: any revision up to the newest (the service answers
  from whatever snapshot is cheapest, e.g. a cached one). ``no_new_enemy`` fails in 3 steps:
  Bob is removed (revision 2), Alice adds ``new_doc``, Bob reads it with a check at
  revision 1::

    refute check examples/new_enemy.py

* ``consistency="at_least_as_fresh"``: the check is evaluated at a revision no older than the
  document's ZedToken. The property holds::

    refute check examples/new_enemy.py -p consistency=at_least_as_fresh

Stale checks of *old* content stay allowed (Bob may read ``old_doc`` at revision 1 after his
removal): he could have read it before, so nothing new is revealed, which is the trade-off
that lets Zanzibar serve most checks from stale snapshots.
"""

from refute import ModelValue, Spec, State, action, each, invariant

CONSISTENCY_MODES = ("minimize_latency", "at_least_as_fresh")


class NewEnemy(Spec):
    def __init__(self, consistency: str = "minimize_latency"):
        if consistency not in CONSISTENCY_MODES:
            raise ValueError(f"consistency must be one of {', '.join(CONSISTENCY_MODES)}, "
                             f"got {consistency!r}")
        self.consistency = consistency
        self.owner, bob = ModelValue("alice"), ModelValue("bob")
        self.users = (self.owner, bob)
        self.removable = (bob,)
        self.new_docs = (ModelValue("new_doc"),)
        self.docs = (ModelValue("old_doc"), *self.new_docs)
        self.revisions = tuple(range(1, len(self.removable) + 2))

    def init(self):
        return State(acl={1: frozenset(self.users)}, documents={self.docs[0]: 1},
                     seen=frozenset())

    @action
    def remove_viewer(self, s, user=each("removable")):
        head = max(s.acl)
        if user in s.acl[head]:
            return s.update(acl=s.acl.set(head + 1, s.acl[head] - {user}))

    @action
    def add_document(self, s, doc=each("new_docs")):
        if doc not in s.documents:
            return s.update(documents=s.documents.set(doc, max(s.acl)))

    def snapshot_allowed(self, s, doc, revision):
        if self.consistency == "at_least_as_fresh":
            return s.documents[doc] <= revision <= max(s.acl)
        return revision <= max(s.acl)

    @action
    def read(self, s, user=each("users"), doc=each("docs"), revision=each("revisions")):
        if (doc in s.documents and self.snapshot_allowed(s, doc, revision)
                and user in s.acl[revision]):
            return s.update(seen=s.seen | {(user, doc)})

    @invariant
    def no_new_enemy(self, s):
        """Nobody has seen a document added after they lost access to its folder."""
        return all(user in s.acl[s.documents[doc]] for user, doc in s.seen)

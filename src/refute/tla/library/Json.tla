------------------------------- MODULE Json -------------------------------
(***************************************************************************)
(* refute's own declarations of the Json operators. Written by refute from *)
(* their meaning (no third-party text); refute finds this module only when *)
(* the spec's folder and REFUTE_TLA_MODULES hold none of this name         *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE Sequences
LOCAL INSTANCE FiniteSets
LOCAL INSTANCE TLC

\* Native (refute/tla/stdlib.py and community.py): the writers are refused when evaluated
\* (refute never writes a file while checking a spec); the readers read a file only where the
\* user allowed (refute check --allow-read PATH).

\* value as JSON text: records and functions as objects, sequences and sets as arrays.
ToJson(value) == CHOOSE text \in STRING : TRUE
ToJsonArray(value) == ToJson(value)
ToJsonObject(value) == ToJson(value)

\* Write value to a file as JSON (one line per element of a sequence for ndJson): TRUE.
JsonSerialize(absoluteFilename, value) == TRUE
ndJsonSerialize(absoluteFilename, value) == TRUE

\* The value a JSON file holds (a sequence of the values on its lines for ndJson): objects
\* as records, arrays as sequences.
JsonDeserialize(absoluteFilename) == CHOOSE value : TRUE
ndJsonDeserialize(absoluteFilename) == CHOOSE value : TRUE
=============================================================================

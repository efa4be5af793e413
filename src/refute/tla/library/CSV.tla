-------------------------------- MODULE CSV --------------------------------
(***************************************************************************)
(* refute's own declarations of the CSV operators. Written by refute from  *)
(* their meaning (no third-party text); refute finds this module only when *)
(* the spec's folder and REFUTE_TLA_MODULES hold none of this name         *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE TLC
LOCAL INSTANCE Integers

\* Native (refute/tla/stdlib.py): the writers are refused when evaluated (refute never
\* writes a file while checking a spec); the readers read a file only where the user allowed
\* (refute check --allow-read PATH).

\* Append a line to a file: the template filled with val's values, or a record's fields.
CSVWrite(template, val, file) == TRUE
CSVWriteRecord(record, delim, headers, file) == TRUE

\* The lines of a file as records with the given field names, split at delim.
CSVRead(columns, delimiter, file) == CHOOSE records : TRUE

\* The number of lines of a file (0 if it does not exist).
CSVRecords(file) == CHOOSE n \in Nat : TRUE
=============================================================================

------------------------------ MODULE IOUtils ------------------------------
(***************************************************************************)
(* refute's own declarations of the IOUtils operators. Written by refute   *)
(* from their meaning (no third-party text); refute finds this module only *)
(* when the spec's folder and REFUTE_TLA_MODULES hold none of this name    *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE TLC
LOCAL INSTANCE Integers

\* The operators below are native (refute/tla/stdlib.py): refute gives IOEnv and atoi their
\* values and refuses the others when they are evaluated (it never writes a file, reads a
\* serialised one or runs a program while checking a spec). Their definitions here say only
\* what TLC returns: a record ([exitValue, stdout, stderr] for the programs run) or TRUE.

\* Write val to a file, and read a value back.
IOSerialize(val, absoluteFilename, compress) == TRUE
IODeserialize(absoluteFilename, compressed) == CHOOSE val : TRUE
Serialize(value, dest, options) == [ exitValue |-> 0 ]
Deserialize(src, options) == [ exitValue |-> 0, value |-> CHOOSE val : TRUE ]

\* Run a program (a sequence of strings: its name and arguments), with env's variables, or
\* with its arguments made from a template and parameters by TLC's string formatting.
IOExec(command) == [ exitValue |-> 0, stdout |-> "", stderr |-> "" ]
IOEnvExec(env, command) == IOExec(command)
IOExecTemplate(commandTemplate, parameters) == IOExec(commandTemplate)
IOEnvExecTemplate(env, commandTemplate, parameters) == IOExec(commandTemplate)

\* The environment variables of the process, as a record of strings.
IOEnv == CHOOSE env : TRUE

\* The integer a string of decimal digits denotes.
atoi(str) == CHOOSE i \in Int : ToString(i) = str
=============================================================================

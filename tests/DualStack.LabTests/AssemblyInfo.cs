// Labs are cheap but not free (namespaces, threads, child processes), and lab tests time SYNs and list sockets:
// run them one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

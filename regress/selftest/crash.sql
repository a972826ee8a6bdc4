--
-- The runner's crash test (suite 'regress' only): the node is killed in the
-- middle of the file, so the runner must report "server crashed" and start a
-- new node for the next file.  REGRESS_NODE_PID is set by regress/run.
--
SELECT 1 AS before;
\! kill -KILL $REGRESS_NODE_PID
SELECT 2 AS after;

-- wrk script: POSTs one fixed, valid SOAP 1.1 request (the file named by $KONTRAKT_BENCH_BODY)
-- with the operation's SOAPAction (from $KONTRAKT_BENCH_ACTION), and counts answers other than
-- HTTP 200 so an invalid request cannot pass for throughput.
local file = assert(io.open(os.getenv("KONTRAKT_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"' .. os.getenv("KONTRAKT_BENCH_ACTION") .. '"'

-- wrk script of the HTTP benchmark: each request a path drawn at random
-- from a file of paths (one a line, the file named after wrk's "--"), so
-- that the load is many serials, as real scans are, rather than one hot
-- URL; counts every answer that is not 200, 3xx included, which wrk's own
-- count of errors leaves out.

local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    for line in io.lines(args[1]) do
        paths[#paths + 1] = line
    end
    if #paths == 0 then
        error("no paths in '" .. args[1] .. "'")
    end
    not_200 = 0
    -- A second argument tells apart wrk processes started in one second.
    math.randomseed(os.time() * 100 + id + (tonumber(args[2]) or 0) * 7919)
end

function request()
    return wrk.format(nil, paths[math.random(#paths)])
end

function response(status)
    if status ~= 200 then
        not_200 = not_200 + 1
    end
end

function done(summary)
    local count = 0
    for _, thread in ipairs(threads) do
        count = count + thread:get("not_200")
    end
    local e = summary.errors
    io.write(string.format("not 200: %d\nsocket errors: %d\n", count,
        e.connect + e.read + e.write + e.timeout))
end

# runtime/engine/ — berthd. The containers part (E2): the record on disk.
unit-tests += test_ctr_rec
test_ctr_rec-srcs := runtime/engine/ctr_rec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c lib/err.c

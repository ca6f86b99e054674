# bench/
# bench/launch: berth-run against crun and runc (needs root, crun, runc).
.PHONY: bench-launch
bench-launch: bins $(O)/host/seccomp_gen
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/launch/run.sh

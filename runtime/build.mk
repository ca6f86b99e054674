# runtime/ — launcher, image store, engine, shim, API daemon, policy.
# Every subsystem directory with a build.mk is part of the build.
include $(sort $(wildcard $(TOP)/runtime/*/build.mk))

# runtime/ — launcher, image store, engine, shim, API daemon, policy.
# Each subsystem adds its build.mk here as it arrives.

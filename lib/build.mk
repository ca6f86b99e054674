# lib/ — code shared by several programs, linked as build/obj/libberth.a.
lib-objs-y := lib/err.o lib/log.o lib/util.o

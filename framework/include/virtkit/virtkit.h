/*
 * virtkit.h: the public client API of libvirtkit. Include only this file.
 * Link with `pkg-config --libs virtkit`.
 */
#ifndef VIRTKIT_H
#define VIRTKIT_H

#include <virtkit/virtkit-common.h>
#include <virtkit/virtkit-connect.h>
#include <virtkit/virtkit-domain.h>
#include <virtkit/virtkit-event.h>
#include <virtkit/virtkit-host.h>
#include <virtkit/virtkit-network.h>
#include <virtkit/virtkit-storage.h>
#include <virtkit/virtkit-nodedev.h>
#include <virtkit/virtkit-stream.h>

#endif

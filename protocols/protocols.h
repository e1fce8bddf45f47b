/* The protocols node kinds speak to each other, as bits: a kind lists those it answers in
 * sim_kind.serves, a reference parameter those its target must answer in sim_param.needs.
 * The loader only matches the bits (a reference to a kind that does not serve what it needs
 * is refused at its line); what they mean is here, one list so that they stay distinct. Each
 * protocol's messages and their bodies are in its own header; a protocol whose messages are
 * requests with a payload (counter checks, settings reads) is answered, and bounced at a
 * crashed node, like any request. A kind's private protocol (the database's replication) has
 * no bit: nothing outside the kind refers to it. */
#ifndef DSIM_PROTOCOLS_H
#define DSIM_PROTOCOLS_H

/* Request/reply (request.h): takes a request (a read or a write, with its key) and sends one
 * reply to its reply_to, or passes it on to a node that will: services, relays, data stores
 * (not clients, which only send). */
#define DSIM_PROTO_REQUEST (1u << 0)
/* A rate limiter's counter check (counter.h): counts a hit on a key's window and answers
 * allowed or denied. */
#define DSIM_PROTO_COUNTER (1u << 1)
/* A circuit breaker's settings read (settings.h): answers with the breaker settings in
 * force. */
#define DSIM_PROTO_SETTINGS (1u << 2)
/* A message broker's delivery (delivery.h): takes consumers' subscriptions, delivers messages
 * to them and takes their acks and commits (queue, stream, pubsub). */
#define DSIM_PROTO_DELIVERY (1u << 3)
/* A tier an orchestrator may manage (models/control/orchestrator): a `service`, whose
 * instances are the servers, or a `load_balancer`, whose backends' group is. Nothing is
 * exchanged: the orchestrator probes the servers with the engine's ping (sim/ping.h) and acts
 * on them through sim/membership.h. */
#define DSIM_PROTO_MANAGED (1u << 4)
/* Leader election among the instances of a group (election.h): Raft's terms, votes and
 * heartbeats, without a log. */
#define DSIM_PROTO_ELECTION (1u << 5)
/* Backups (backup.h): takes a data store's backups, keeps their catalog and sends them back
 * for a restore (backup_store). */
#define DSIM_PROTO_BACKUP (1u << 6)

#endif

/* api_chat: live web chat (api_chat.c) and its pages (page_chat.c);
 * handlers named in routes.c. */
#ifndef FD_API_CHAT_H
#define FD_API_CHAT_H
#include "web/http.h"

/* The resident's side: public, the chat's access key is the proof. */
int api_chat_create(req *q, resp *p);     /* POST /api/v1/chats */
int api_webchat_get(req *q, resp *p);     /* GET /api/v1/webchat/{slug} */
int api_webchat_message(req *q, resp *p); /* POST /api/v1/webchat/{slug}/messages */
int api_webchat_events(req *q, resp *p);  /* GET /api/v1/webchat/{slug}/events (SSE) */
/* The agent's side. */
int api_chats_list(req *q, resp *p);      /* GET /api/v1/chats?status= */
int api_chat_get(req *q, resp *p);        /* GET /api/v1/chats/{id} */
int api_chat_events(req *q, resp *p);     /* GET /api/v1/chats/{id}/events (SSE) */
int api_chat_pick_up(req *q, resp *p);    /* POST /api/v1/chats/{id}/pick-up */
int api_chat_message(req *q, resp *p);    /* POST /api/v1/chats/{id}/messages */
int api_chat_close(req *q, resp *p);      /* POST /api/v1/chats/{id}/close */

/* page_chat.c */
int page_chat_start(req *q, resp *p);      /* GET /chat */
int page_chat_open(req *q, resp *p);       /* POST /chat */
int page_chat(req *q, resp *p);            /* GET /chat/{slug} */
int page_chat_send(req *q, resp *p);       /* POST /chat/{slug} */
int page_chat_js(req *q, resp *p);         /* GET /chat.js: live updates when JavaScript runs */
int page_staff_chats(req *q, resp *p);     /* GET /staff/chats */
int page_staff_chat(req *q, resp *p);      /* GET /staff/chats/{id} */
int page_staff_chat_pick_up(req *q, resp *p); /* POST /staff/chats/{id}/pick-up */
int page_staff_chat_send(req *q, resp *p);    /* POST /staff/chats/{id}/messages */
int page_staff_chat_close(req *q, resp *p);   /* POST /staff/chats/{id}/close */

#endif

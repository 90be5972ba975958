-- 0014: the knowledge base and web chat.
-- articles: catalogue/articles.txt, copied in at start-up for each council
-- (serve replaces them), indexed for search by FTS5 with the porter
-- stemmer; the query's typos are corrected in C first (core/route_enquiry).
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    keywords TEXT,
    body TEXT
);
CREATE INDEX articles_slug ON articles (council_id, slug);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, keywords, body, content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, keywords, body) VALUES (new.id, new.title, new.keywords, new.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, keywords, body)
    VALUES ('delete', old.id, old.title, old.keywords, old.body);
    INSERT INTO articles_fts (rowid, title, keywords, body) VALUES (new.id, new.title, new.keywords, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, keywords, body)
    VALUES ('delete', old.id, old.title, old.keywords, old.body);
END;

-- chats: a resident's web chat with an agent; its messages. Closed, it is
-- logged as a web_chat contact on the resident's record (contact_id).
CREATE TABLE chats (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    access_key TEXT NOT NULL,
    status TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    name TEXT,
    email TEXT,
    topic TEXT,
    agent_id INTEGER,
    picked_up_at TEXT,
    closed_at TEXT,
    contact_id INTEGER
);
CREATE INDEX chats_key ON chats (access_key); -- 128 random bits: unique in practice
CREATE INDEX chats_status ON chats (council_id, status, id);
CREATE INDEX chats_person ON chats (council_id, person_id, id);
CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    sender TEXT NOT NULL,
    author_id INTEGER,
    text TEXT NOT NULL,
    link TEXT,
    link_title TEXT
);
CREATE INDEX chat_messages_chat ON chat_messages (council_id, chat_id, id);

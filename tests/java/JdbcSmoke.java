import java.math.BigDecimal;
import java.sql.*;
import java.util.Properties;

/** pgjdbc against DuckCDB: container commands as SYS, then work inside the new PDB. */
public class JdbcSmoke {
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    /** varchar(n) and char(n): getColumns gives their length, a longer value fails with 22001. */
    static void checkLengths(Connection c, DatabaseMetaData md) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("create table people(id int primary key, code char(3), name varchar(40), note text)");
        }
        java.util.List<String> cols = new java.util.ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "public", "people", "%")) {
            while (rs.next()) {
                cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE")
                    + ":" + rs.getInt("COLUMN_SIZE"));
            }
        }
        check(cols.get(1).equals("code:bpchar:" + Types.CHAR + ":3"), "getColumns char(3): " + cols);
        check(cols.get(2).equals("name:varchar:" + Types.VARCHAR + ":40"), "getColumns varchar(40): " + cols);
        check(cols.get(3).startsWith("note:text:" + Types.VARCHAR + ":"), "getColumns text: " + cols);
        try (PreparedStatement ps = c.prepareStatement("insert into people values (?, ?, ?, ?)")) {
            for (int i = 0; i < 4; i++) {  // past prepareThreshold too
                ps.setInt(1, i);
                ps.setString(2, "abc");
                ps.setString(3, "x".repeat(40));
                ps.setString(4, null);
                ps.executeUpdate();
            }
            ps.setInt(1, 10);
            ps.setString(3, "x".repeat(41));
            try {
                ps.executeUpdate();
                throw new AssertionError("varchar(40) took 41 characters");
            } catch (SQLException e) {
                check("22001".equals(e.getSQLState()), "22001 expected, got " + e.getSQLState());
                check(e.getMessage().contains("value too long for type character varying(40)"), e.getMessage());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String port = args[0], sysPassword = args[1], pdb = args[2];
        String base = "jdbc:postgresql://127.0.0.1:" + port + "/";
        Properties sys = new Properties();
        sys.setProperty("user", "SYS");
        sys.setProperty("password", sysPassword);
        sys.setProperty("sslmode", "disable");
        try (Connection root = DriverManager.getConnection(base + "CDB$ROOT", sys);
             Statement st = root.createStatement()) {
            st.execute("CREATE PLUGGABLE DATABASE " + pdb + " ADMIN USER jadm IDENTIFIED BY \"Jdbc-Pw-1\"");
            st.execute("ALTER PLUGGABLE DATABASE " + pdb + " OPEN");
            try {
                st.execute("ALTER PLUGGABLE DATABASE " + pdb + " OPEN");
            } catch (SQLException e) {
                throw new AssertionError("OPEN of an open PDB in the same mode must be a no-op: " + e);
            }
            try {
                st.execute("CREATE PLUGGABLE DATABASE " + pdb + " ADMIN USER x IDENTIFIED BY y");
                throw new AssertionError("duplicate PDB accepted");
            } catch (SQLException e) {
                check(e.getMessage().contains("ORA-65012"), "ORA-65012 expected: " + e.getMessage());
            }
            boolean found = false;
            try (ResultSet rs = st.executeQuery("SHOW PDBS")) {
                while (rs.next()) found |= rs.getString("CON_NAME").equals(pdb.toUpperCase());
            }
            check(found, "SHOW PDBS lists the new PDB");
            try (PreparedStatement ps = root.prepareStatement("select open_mode from v$pdbs where name = ?")) {
                ps.setString(1, pdb.toUpperCase());
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next() && rs.getString(1).equals("READ WRITE"), "v$pdbs open mode");
                }
            }
        }
        Properties adm = new Properties();
        adm.setProperty("user", "jadm");
        adm.setProperty("password", "Jdbc-Pw-1");
        adm.setProperty("sslmode", "disable");
        adm.setProperty("prepareThreshold", "2");
        try (Connection c = DriverManager.getConnection(base + pdb, adm)) {
            try (Statement st = c.createStatement()) {
                st.execute("create table items(id int primary key, name text, price numeric(10,2), ts timestamp, ok boolean)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into items values (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item " + i);
                    ps.setBigDecimal(3, new BigDecimal("1.25").multiply(BigDecimal.valueOf(i)));
                    ps.setTimestamp(4, Timestamp.valueOf("2024-01-02 03:04:05"));
                    ps.setBoolean(5, i % 2 == 0);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length == 20, "batch counts");
            }
            Savepoint sp = c.setSavepoint();
            try (Statement st = c.createStatement()) {
                st.execute("insert into items(id) values (100)");
                try {
                    st.execute("insert into items(id) values (100)");
                    throw new AssertionError("duplicate key accepted");
                } catch (SQLException e) {
                    check("23505".equals(e.getSQLState()), "23505 expected, got " + e.getSQLState());
                }
            }
            c.rollback(sp);
            c.commit();
            try (PreparedStatement ps = c.prepareStatement("select id, name, price, ts, ok from items where id = ?")) {
                for (int i = 0; i < 5; i++) {  // past prepareThreshold: server-prepared
                    ps.setInt(1, 4);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "row 4");
                        check(rs.getInt(1) == 4 && rs.getString(2).equals("item 4"), "values");
                        check(rs.getBigDecimal(3).compareTo(new BigDecimal("5.00")) == 0, "numeric");
                        check(rs.getTimestamp(4).equals(Timestamp.valueOf("2024-01-02 03:04:05")), "timestamp");
                        check(rs.getBoolean(5), "boolean");
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from items")) {
                check(rs.next() && rs.getLong(1) == 20, "20 rows after the savepoint rollback");
            }
            c.commit();
            c.setAutoCommit(true);
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName().equals("PostgreSQL"), "product name");
            boolean sawItems = false;
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) sawItems |= rs.getString("TABLE_NAME").equals("items");
            }
            check(sawItems, "getTables lists items");
            java.util.List<String> cols = new java.util.ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "items", "%")) {
                while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
            check(cols.size() == 5 && cols.get(0).equals("id:" + Types.INTEGER), "getColumns: " + cols);
            checkLengths(c, md);
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "items")) {
                check(rs.next() && rs.getString("COLUMN_NAME").equals("id"), "getPrimaryKeys");
            }
            boolean sawPublic = false;
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) sawPublic |= rs.getString("TABLE_SCHEM").equals("public");
            }
            check(sawPublic, "getSchemas lists public");
            checkKeysAndIndexes(c, md);
            checkTypeInfo(md);
        }
        System.out.println("JDBC OK");
    }

    /** getImportedKeys, getExportedKeys and getIndexInfo name the real tables, columns and indexes. */
    static void checkKeysAndIndexes(Connection c, DatabaseMetaData md) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("create table orders(id int primary key, item_id int not null references items(id), qty int)");
            st.execute("create index orders_item_idx on orders(item_id)");
        }
        java.util.List<String> imported = new java.util.ArrayList<>();
        try (ResultSet rs = md.getImportedKeys(null, "public", "orders")) {
            while (rs.next()) {
                imported.add(rs.getString("PKTABLE_SCHEM") + "." + rs.getString("PKTABLE_NAME") + "(" + rs.getString("PKCOLUMN_NAME")
                        + ") <- " + rs.getString("FKTABLE_NAME") + "(" + rs.getString("FKCOLUMN_NAME") + ") #" + rs.getInt("KEY_SEQ")
                        + " " + rs.getString("PK_NAME"));
            }
        }
        check(imported.equals(java.util.List.of("public.items(id) <- orders(item_id) #1 items_pkey")), "getImportedKeys: " + imported);
        java.util.List<String> exported = new java.util.ArrayList<>();
        try (ResultSet rs = md.getExportedKeys(null, "public", "items")) {
            while (rs.next()) exported.add(rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME"));
        }
        check(exported.equals(java.util.List.of("orders.item_id")), "getExportedKeys: " + exported);
        java.util.Set<String> indexes = new java.util.TreeSet<>();
        try (ResultSet rs = md.getIndexInfo(null, "public", "orders", false, true)) {
            while (rs.next()) {
                indexes.add(rs.getString("INDEX_NAME") + "(" + rs.getString("COLUMN_NAME") + ")"
                        + (rs.getBoolean("NON_UNIQUE") ? "" : " unique") + " #" + rs.getShort("ORDINAL_POSITION"));
            }
        }
        check(indexes.equals(new java.util.TreeSet<>(java.util.List.of("orders_item_idx(item_id) #1", "orders_pkey(id) unique #1"))),
                "getIndexInfo: " + indexes);
        int unique = 0;
        try (ResultSet rs = md.getIndexInfo(null, "public", "orders", true, true)) {
            while (rs.next()) unique++;
        }
        check(unique == 1, "getIndexInfo(unique only): " + unique + " rows");
    }

    /** getTypeInfo lists the common types with their JDBC types. */
    static void checkTypeInfo(DatabaseMetaData md) throws SQLException {
        java.util.Map<String, Integer> types = new java.util.HashMap<>();
        try (ResultSet rs = md.getTypeInfo()) {
            while (rs.next()) types.put(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"));
        }
        java.util.Map<String, Integer> expected = java.util.Map.of(
                "int4", Types.INTEGER, "int8", Types.BIGINT, "int2", Types.SMALLINT, "text", Types.VARCHAR,
                "varchar", Types.VARCHAR, "numeric", Types.NUMERIC, "bool", Types.BIT, "float8", Types.DOUBLE,
                "date", Types.DATE, "timestamp", Types.TIMESTAMP);
        for (java.util.Map.Entry<String, Integer> e : expected.entrySet()) {
            check(e.getValue().equals(types.get(e.getKey())), "getTypeInfo " + e.getKey() + ": " + types.get(e.getKey()) + " in " + types);
        }
        check(types.containsKey("uuid") && types.containsKey("bytea") && types.containsKey("timestamptz"), "getTypeInfo: " + types.keySet());
    }
}
